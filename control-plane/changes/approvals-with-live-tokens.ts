/**
 * Approvals whose token has not been revoked since. `revokeToken` is the documented answer to a stolen
 * token, so what was approved with it is void: the approval does not count, nor does it stand in the way
 * of another (`onePerPerson`). Expiry is not revocation: tokens live an hour and a scheduled change may
 * apply up to a year later. Approvals with the bootstrap token (no `jti`) are not affected here
 * (`mayStillApprove` checks that the bootstrap token still stands).
 *
 * @example await approvalsWithLiveTokens(tx, await approvalsFor(tx, [id])) // without the stolen token's
 */
import type { Queryable } from "../db/client.ts";
import type { ApprovalRow } from "./change-request.repo.ts";

export async function approvalsWithLiveTokens(q: Queryable, approvals: readonly ApprovalRow[]): Promise<ApprovalRow[]> {
  const jtis = approvals.flatMap((a) => (a.jti === null ? [] : [a.jti]));
  if (jtis.length === 0) return [...approvals];
  const revoked = new Set(
    (await q<{ jti: string }[]>`select jti from issued_tokens where jti in ${q(jtis)} and revoked_at is not null`).map((r) => r.jti),
  );
  return approvals.filter((a) => a.jti === null || !revoked.has(a.jti));
}
