/**
 * Whether `approver` (acting with token `jti`) is really `author`: the same principal, a principal
 * `author` stands behind, or acting with a token `author` stands behind. One direction only: whether
 * an approval is the author's own asks it both ways (`isAuthorsApproval`).
 *
 * The author stands behind a principal it created or granted `approver`/`admin` to, and behind a token it issued; and transitively behind
 * whatever those principals and tokens did in turn (an admin puppet setting up an approver, a token
 * issued to impersonate a real admin who then sets one up). Every act records who did it and with
 * which token (migration 0063), so impersonation leaves no gap once the token has expired.
 *
 * The bootstrap token is the root of trust: every principal of a fresh install descends from it and it
 * may change routing directly, so what it set up is not its own (otherwise nobody could approve it).
 */
import type { Queryable } from "../db/client.ts";
import type { ApprovalRow } from "./change-request.repo.ts";

export function isBootstrapId(id: string): boolean {
  return id.startsWith("adm_");
}

export async function approvalIsAuthors(q: Queryable, author: string, approver: string, jti: string | null): Promise<boolean> {
  if (approver === author) return true;
  if (isBootstrapId(author)) return false;
  const [row] = await q<{ own: boolean }[]>`
    with recursive token_parties(jti, party) as (
      -- Everyone behind a token: its issuer, and whoever stands behind the token it was issued with.
      select jti, issued_by from issued_tokens where issued_by is not null
      union
      select t.jti, tp.party from issued_tokens t join token_parties tp on tp.jti = t.issued_with
    ),
    acts(actor, jti, target) as (
      select created_by, created_with, id from principals where created_by is not null
      union all
      select granted_by, granted_with, principal_id from role_bindings where granted_by is not null and role in ('admin', 'approver')
    ),
    edges(src, dst) as (
      select actor, target from acts
      union
      select tp.party, a.target from acts a join token_parties tp on tp.jti = a.jti
    ),
    behind(id) as (
      select ${author}::text
      union
      select e.dst from edges e join behind b on e.src = b.id
    )
    select exists (select 1 from behind where id = ${approver})
        or exists (select 1 from token_parties tp join behind b on b.id = tp.party where tp.jti = ${jti}) as own`;
  return row!.own;
}

/** Who proposed a change request and with which token (null for the bootstrap token or an older request). */
export interface Authorship {
  author: string;
  authorJti: string | null;
}

/**
 * Whether an approval is the author's own (SELF_APPROVAL): when EITHER party stands behind the other.
 * The author behind the approver or its token (a puppet approving); or the approver behind the author
 * or the token the author proposed with (a puppet, or a token issued in a real approver's name,
 * proposing what its maker then approves). Asked when approving and again when counting approvals at apply.
 */
export async function isAuthorsApproval(q: Queryable, cr: Authorship, approver: string, approverJti: string | null): Promise<boolean> {
  return (await approvalIsAuthors(q, cr.author, approver, approverJti)) || (await approvalIsAuthors(q, approver, cr.author, cr.authorJti));
}

/** Of a change's approvals, those that are not its author's own (what counts toward the approvals it needs). */
export async function independentApprovals(q: Queryable, cr: Authorship, approvals: readonly ApprovalRow[]): Promise<ApprovalRow[]> {
  const independent: ApprovalRow[] = [];
  for (const a of approvals) if (!(await isAuthorsApproval(q, cr, a.approver, a.jti))) independent.push(a);
  return independent;
}
