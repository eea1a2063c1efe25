/**
 * Of a change's approvals, those that still count: not the author's own (`independentApprovals`), not
 * given with a token revoked since (`approvalsWithLiveTokens`), by a person who still holds
 * `approver`/`admin` (`mayStillApprove`). Only these pair under one approval per person
 * (`onePerPerson`, `sameApproverAs`): an approval that no longer counts stands in no one's way, neither
 * when approving nor when counting at apply.
 *
 * `parties` reads each act's parties once for the whole operation (partiesOnce): the same acts are
 * paired again by onePerPerson and sameApproverAs.
 *
 * @example const parties = partiesOnce(tx); await onePerPerson(parties, await approvalsThatCount(tx, parties, cr, await approvalsFor(tx, [cr.id])))
 */
import type { Queryable } from "../db/client.ts";
import { independentApprovals, type Authorship, type PartiesOf } from "./approval-is-authors.ts";
import { approvalsWithLiveTokens } from "./approvals-with-live-tokens.ts";
import type { ApprovalRow } from "./change-request.repo.ts";

/**
 * Whether an approver still holds a role that may approve (the bootstrap token: that it still stands).
 * Only a person: a service principal (a CI bot, whose token sits in a pipeline secret the author may
 * reach) is nobody's independent second pair of eyes, whatever roles it holds.
 */
export async function mayStillApprove(q: Queryable, approver: string): Promise<boolean> {
  if (approver.startsWith("adm_")) return (await q`select 1 from admin_tokens where id = ${approver}`).length > 0;
  const rows = await q`select 1 from role_bindings rb join principals p on p.id = rb.principal_id
    where rb.principal_id = ${approver} and p.status = 'active' and p.kind = 'person' and rb.role in ('admin', 'approver')`;
  return rows.length > 0;
}

export async function approvalsThatCount(q: Queryable, parties: PartiesOf, cr: Authorship, approvals: readonly ApprovalRow[]): Promise<ApprovalRow[]> {
  const counting: ApprovalRow[] = [];
  for (const a of await approvalsWithLiveTokens(q, await independentApprovals(parties, cr, approvals))) if (await mayStillApprove(q, a.approver)) counting.push(a);
  return counting;
}
