/**
 * One person, one approval. Two approvals are one person's by the relation `isAuthorsApproval` asks of
 * author and approver, here asked of two approvers, each with the token it approved with: the same
 * principal; either standing behind the other (a token issued by one in the other's name, a principal
 * one created or granted `approver`/`admin` to, transitively); or one party that issued, up the token
 * chains, both tokens (two tokens one admin issued in two real approvers' names). Two people one admin
 * merely created or granted a role, holding tokens that admin did not issue, are two. Without it one
 * admin who is not the author could supply every approval of a `REQUIRED_APPROVALS=2` change: its own,
 * and one with a token it issued in a real approver's name or by a principal it created; or two with
 * tokens it issued. Callers pass only approvals that still count (`approvalsThatCount`): one that no
 * longer counts must not stand in the way of the person behind it.
 */
import type { Queryable } from "../db/client.ts";
import { isAuthorsApproval } from "./approval-is-authors.ts";
import type { ApprovalRow } from "./change-request.repo.ts";

/** The first of `earlier` that is the same person as `approver` acting with `jti`, or null. */
export async function sameApproverAs(q: Queryable, earlier: readonly ApprovalRow[], approver: string, jti: string | null): Promise<ApprovalRow | null> {
  for (const e of earlier) if (await isAuthorsApproval(q, { author: e.approver, authorJti: e.jti }, approver, jti)) return e;
  return null;
}

/**
 * Of approvals in approval order, one per person: pairwise, the first kept, a later one that is the
 * same person as an approval already kept dropped.
 *
 * @example await onePerPerson(tx, await approvalsFor(tx, [id])) // [xav's] of xav's and xav-as-hal's
 */
export async function onePerPerson(q: Queryable, approvals: readonly ApprovalRow[]): Promise<ApprovalRow[]> {
  const kept: ApprovalRow[] = [];
  for (const a of approvals) if (!(await sameApproverAs(q, kept, a.approver, a.jti))) kept.push(a);
  return kept;
}
