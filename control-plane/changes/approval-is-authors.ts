/**
 * Whether two acts (a proposal and an approval, or two approvals) are one person's. Two rules:
 *
 * 1. One stands behind the other (either way round): the same principal, or one act's principal is
 *    behind the other act. Behind an act stand its principal, whoever issued the token it was done
 *    with, and, transitively, whoever stands behind those: who created a principal or granted it
 *    `approver`/`admin`, who issued a token and with which token. So a principal of one's own making
 *    (a puppet, a CI bot one created), or a token one issued, is oneself.
 * 2. One party issued, transitively, a token used by each act: the issuer of the act's token, of the
 *    token that token was minted with, and so on up, and nothing else. An admin who issued a token in
 *    real approver Ann's name and one in real approver Ben's could otherwise propose as "Ann" and
 *    approve as "Ben", two principals neither of which stands behind the other.
 *
 * Rule 2 follows tokens only, not who created or granted a role to whom: only a token lets someone act
 * as a principal (issueToken is the only maker of admin JWTs), so a shared issuer is what acting as two
 * people needs, while a shared creator or granter further up is not. Following those too made one
 * admin at the top of the tree everyone below it: Ben could not approve Ann's change because the admin
 * who onboarded them both stood behind both (reviewer's repro, onboarded-by-one-admin.test.ts).
 *
 * Every such act records who did it and with which token (migration 0063), so the trace outlives the
 * token. The bootstrap token makes nobody the same person: every principal of a fresh install
 * descends from it, and whoever holds it (kept in a break-glass vault) may change routing directly
 * anyway, so sharing it behind two acts proves nothing it could not do without them. It still cannot
 * approve its own proposals (the same principal).
 */
import type { Queryable } from "../db/client.ts";
import type { ApprovalRow } from "./change-request.repo.ts";

function isBootstrapId(id: string): boolean {
  return id.startsWith("adm_");
}

/** Who stands behind an act, the bootstrap token left out of both sets. */
export interface ActParties {
  /** Everyone behind the act, over every edge (rule 1): its principal among them. */
  behind: Set<string>;
  /** Those who issued, transitively, the token the act was done with (rule 2): up its token chain only. */
  issuers: Set<string>;
}

/**
 * Who stands behind an act done by `principal` with token `jti` (null: the bootstrap token, or an act
 * recorded before tokens were), in one recursive walk up. A token's chain (its issuer, the token it
 * was issued with's issuer, and so on up) is read in one step from its stored `issuers` (migration
 * 0111), not walked a token a level: hourly self-renewal grows a chain ~8,760 tokens a year, and the
 * walk ran under the config lock. The principals reached from the act's token that way are on its
 * token chain (`chain`); every other edge leaves it. `union` keeps each (kind, id, chain) once, so a
 * creation/grant cycle ends.
 *
 * @example await actParties(tx, "prn_ann", "jti_…") // behind {prn_ann, prn_alice, prn_mallory}, issuers {prn_mallory}: alice onboarded ann, mallory issued the token
 */
export async function actParties(q: Queryable, principal: string, jti: string | null): Promise<ActParties> {
  const rows = await q<{ id: string; chain: boolean }[]>`
    with recursive up(kind, id, chain) as (
      select 'principal'::text, ${principal}::text, false
      union
      select 'token', ${jti}::text, true where ${jti}::text is not null
      union
      select next.kind, next.id, next.chain from up b cross join lateral (
        select 'principal', created_by, false from principals where b.kind = 'principal' and id = b.id and created_by is not null
        union all
        select 'token', created_with, false from principals where b.kind = 'principal' and id = b.id and created_with is not null
        union all
        select 'principal', granted_by, false from role_bindings
          where b.kind = 'principal' and principal_id = b.id and role in ('admin', 'approver') and granted_by is not null
        union all
        select 'token', granted_with, false from role_bindings
          where b.kind = 'principal' and principal_id = b.id and role in ('admin', 'approver') and granted_with is not null
        union all
        select 'principal', issuer, b.chain from issued_tokens cross join lateral unnest(issuers) issuer
          where b.kind = 'token' and jti = b.id
      ) next(kind, id, chain)
    )
    select id, chain from up where kind = 'principal'`;
  const parties = rows.filter((r) => !isBootstrapId(r.id));
  return { behind: new Set(parties.map((r) => r.id)), issuers: new Set(parties.filter((r) => r.chain).map((r) => r.id)) };
}

/** Who stands behind the act `principal` did with token `jti` (actParties), as one operation reads it. */
export type PartiesOf = (principal: string, jti: string | null) => Promise<ActParties>;

/**
 * actParties for one operation (an approve, an apply), each act (principal and token) read the first
 * time it is asked for, then kept: approving asks of the author's act and every approval's several
 * times over (isAuthorsApproval, approvalsThatCount, sameApproverAs, onePerPerson), each a recursive
 * walk under the config lock. Made per transaction, never shared: an approve or apply writes no
 * principal, role binding or token, so parties read at its start still hold at its end.
 *
 * @example const parties = partiesOnce(tx); await isAuthorsApproval(parties, cr, approver, jti)
 */
export function partiesOnce(q: Queryable): PartiesOf {
  const read = new Map<string, Promise<ActParties>>();
  return (principal, jti) => {
    const key = JSON.stringify([principal, jti]);
    let parties = read.get(key);
    if (!parties) read.set(key, (parties = actParties(q, principal, jti)));
    return parties;
  };
}

/** Who proposed a change request and with which token (null for the bootstrap token or an older request). */
export interface Authorship {
  author: string;
  authorJti: string | null;
}

/**
 * Whether an approval is the author's own (SELF_APPROVAL): the same principal; the author behind the
 * approver (a puppet approving) or the approver behind the author (a token it issued in a real
 * approver's name proposing); or one party that issued, transitively, both the token proposed with
 * and the token approved with (two tokens one admin issued in two real approvers' names). Asked when
 * approving and again when counting approvals at apply; `sameApproverAs` asks the same of two
 * approvals (areOnePerson).
 */
export async function isAuthorsApproval(parties: PartiesOf, cr: Authorship, approver: string, approverJti: string | null): Promise<boolean> {
  if (approver === cr.author) return true;
  return isOwnGiven(parties, cr.author, await parties(cr.author, cr.authorJti), approver, approverJti);
}

/** isAuthorsApproval with the author's parties already read, for asking it of several approvals. */
async function isOwnGiven(parties: PartiesOf, authorId: string, author: ActParties, approver: string, approverJti: string | null): Promise<boolean> {
  if (approver === authorId || author.behind.has(approver)) return true;
  return areOnePerson(authorId, author, approver, await parties(approver, approverJti));
}

/**
 * Whether acts by principals `aId` and `bId`, with their parties read (actParties), are one person's:
 * the same principal, either behind the other (rule 1), or one issuer up both token chains (rule 2).
 * The same answer either way round; no reads, for comparing many pairs once each act's parties are read.
 */
export function areOnePerson(aId: string, a: ActParties, bId: string, b: ActParties): boolean {
  if (aId === bId || a.behind.has(bId) || b.behind.has(aId)) return true;
  for (const issuer of b.issuers) if (a.issuers.has(issuer)) return true;
  return false;
}

/**
 * Of a change's approvals, those that are not its author's own (what counts toward the approvals it
 * needs). The author's parties are read once (`parties`), not once per approval, under the config lock.
 */
export async function independentApprovals(parties: PartiesOf, cr: Authorship, approvals: readonly ApprovalRow[]): Promise<ApprovalRow[]> {
  if (approvals.every((a) => a.approver === cr.author)) return [];
  const author = await parties(cr.author, cr.authorJti);
  const independent: ApprovalRow[] = [];
  for (const a of approvals) if (!(await isOwnGiven(parties, cr.author, author, a.approver, a.jti))) independent.push(a);
  return independent;
}
