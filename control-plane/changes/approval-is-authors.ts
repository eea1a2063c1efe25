/**
 * Whether two acts (a proposal and an approval, or two approvals) are one person's: the same
 * principal, or anyone standing behind both. Everyone behind an act is its principal, whoever issued
 * the token it was done with, and, transitively, whoever stands behind those: who created a principal
 * or granted it `approver`/`admin`, who issued a token and with which token (every such act records
 * who did it and with which token, migration 0063, so the trace outlives the token).
 *
 * Asking only whether one act's principal stands behind the other was not enough: an admin who issued
 * a token in real approver Ann's name and one in real approver Ben's could propose as "Ann" and approve
 * as "Ben", two principals neither of which stands behind the other. With a third party behind both,
 * it is one person's review.
 *
 * The bootstrap token makes nobody the same person: every principal of a fresh install descends from
 * it, and whoever holds it (kept in a break-glass vault) may change routing directly anyway, so
 * sharing it behind two acts proves nothing it could not do without them. It still cannot approve its
 * own proposals (the same principal).
 */
import type { Queryable } from "../db/client.ts";
import type { ApprovalRow } from "./change-request.repo.ts";

export function isBootstrapId(id: string): boolean {
  return id.startsWith("adm_");
}

/**
 * Everyone behind an act done by `principal` with token `jti` (null: the bootstrap token, or an act
 * recorded before tokens were), the bootstrap token left out.
 *
 * @example await partiesBehind(tx, "prn_ann", "jti_…") // Set {"prn_ann", "prn_mallory"} for a token mallory issued
 */
export async function partiesBehind(q: Queryable, principal: string, jti: string | null): Promise<Set<string>> {
  const rows = await q<{ id: string }[]>`
    with recursive behind(kind, id) as (
      select 'principal'::text, ${principal}::text
      union
      select 'token', ${jti}::text where ${jti}::text is not null
      union
      select up.kind, up.id from behind b cross join lateral (
        select 'principal', created_by from principals where b.kind = 'principal' and id = b.id and created_by is not null
        union all
        select 'token', created_with from principals where b.kind = 'principal' and id = b.id and created_with is not null
        union all
        select 'principal', granted_by from role_bindings
          where b.kind = 'principal' and principal_id = b.id and role in ('admin', 'approver') and granted_by is not null
        union all
        select 'token', granted_with from role_bindings
          where b.kind = 'principal' and principal_id = b.id and role in ('admin', 'approver') and granted_with is not null
        union all
        select 'principal', issued_by from issued_tokens where b.kind = 'token' and jti = b.id and issued_by is not null
        union all
        select 'token', issued_with from issued_tokens where b.kind = 'token' and jti = b.id and issued_with is not null
      ) up(kind, id)
    )
    select id from behind where kind = 'principal'`;
  return new Set(rows.map((r) => r.id).filter((id) => !isBootstrapId(id)));
}

/** Who proposed a change request and with which token (null for the bootstrap token or an older request). */
export interface Authorship {
  author: string;
  authorJti: string | null;
}

/**
 * Whether an approval is the author's own (SELF_APPROVAL): the same principal, or anyone behind both
 * the proposal and the approval — the author behind the approver (a puppet approving), the approver
 * behind the author (a token it issued in a real approver's name proposing), or a third behind both
 * (two tokens one admin issued in two real approvers' names). Asked when approving and again when
 * counting approvals at apply; `sameApproverAs` asks it of two approvals.
 */
export async function isAuthorsApproval(q: Queryable, cr: Authorship, approver: string, approverJti: string | null): Promise<boolean> {
  if (approver === cr.author) return true;
  const authors = await partiesBehind(q, cr.author, cr.authorJti);
  if (authors.size === 0) return false;
  for (const party of await partiesBehind(q, approver, approverJti)) if (authors.has(party)) return true;
  return false;
}

/** Of a change's approvals, those that are not its author's own (what counts toward the approvals it needs). */
export async function independentApprovals(q: Queryable, cr: Authorship, approvals: readonly ApprovalRow[]): Promise<ApprovalRow[]> {
  const independent: ApprovalRow[] = [];
  for (const a of approvals) if (!(await isAuthorsApproval(q, cr, a.approver, a.jti))) independent.push(a);
  return independent;
}
