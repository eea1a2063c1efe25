/**
 * One person, one approval. Two approvals are one person's by the relation `isAuthorsApproval` asks of
 * author and approver (areOnePerson), here asked of two approvers, each with the token it approved
 * with: the same principal; either standing behind the other (a token issued by one in the other's name, a principal
 * one created or granted `approver`/`admin` to, transitively); or one party that issued, up the token
 * chains, both tokens (two tokens one admin issued in two real approvers' names). Two people one admin
 * merely created or granted a role, holding tokens that admin did not issue, are two. Without it one
 * admin who is not the author could supply every approval of a `REQUIRED_APPROVALS=2` change: its own,
 * and one with a token it issued in a real approver's name or by a principal it created; or two with
 * tokens it issued. Callers pass only approvals that still count (`approvalsThatCount`): one that no
 * longer counts must not stand in the way of the person behind it.
 */
import { type ActParties, areOnePerson, type PartiesOf } from "./approval-is-authors.ts";
import type { ApprovalRow } from "./change-request.repo.ts";

/**
 * An act's principal, and its parties read the first time a comparison needs them (`parties`, kept for
 * the whole operation: partiesOnce): each approval is read once however many it is compared with and
 * however many checks compare it (the reads run under the config lock), and not at all when its
 * principal alone answers.
 */
interface Act {
  principal: string;
  parties: () => Promise<ActParties>;
}

function act(parties: PartiesOf, principal: string, jti: string | null): Act {
  return { principal, parties: () => parties(principal, jti) };
}

/** Whether two acts are one person's: the same principal answers without a read. */
async function samePerson(a: Act, b: Act): Promise<boolean> {
  return a.principal === b.principal || areOnePerson(a.principal, await a.parties(), b.principal, await b.parties());
}

/** The first of `earlier` whose act (`actOf`) is the same person as `given`, or null. */
async function firstSameAs<T>(earlier: readonly T[], actOf: (e: T) => Act, given: Act): Promise<T | null> {
  for (const e of earlier) if (await samePerson(actOf(e), given)) return e;
  return null;
}

/** The first of `earlier` that is the same person as `approver` acting with `jti`, or null. */
export async function sameApproverAs(parties: PartiesOf, earlier: readonly ApprovalRow[], approver: string, jti: string | null): Promise<ApprovalRow | null> {
  return firstSameAs(earlier, (e) => act(parties, e.approver, e.jti), act(parties, approver, jti));
}

/**
 * Of approvals in approval order, one per person: pairwise, the first kept, a later one that is the
 * same person as an approval already kept dropped. Each approval's parties are read once.
 *
 * @example await onePerPerson(partiesOnce(tx), await approvalsFor(tx, [id])) // [xav's] of xav's and xav-as-hal's
 */
export async function onePerPerson(parties: PartiesOf, approvals: readonly ApprovalRow[]): Promise<ApprovalRow[]> {
  const kept: { row: ApprovalRow; act: Act }[] = [];
  for (const row of approvals) {
    const given = act(parties, row.approver, row.jti);
    if (!(await firstSameAs(kept, (k) => k.act, given))) kept.push({ row, act: given });
  }
  return kept.map((k) => k.row);
}
