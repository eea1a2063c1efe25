/**
 * Requests proposed with a token revoked since. `revokeToken` is the answer to a stolen token, so what
 * was proposed with it is the thief's until shown otherwise: revoking marks each open request proposed
 * with it stale (the real author proposes again with a new token), and applying checks again, inside
 * its transaction, for a request that escaped the marking. Requests proposed with the bootstrap token,
 * or recorded before author_jti existed, have no jti and are not affected.
 *
 * @example await markProposedWithStale(tx, "jti_…", who) // in revokeToken's transaction
 */
import type { AuditActor } from "../audit/audit-actor.ts";
import type { Queryable, Tx } from "../db/client.ts";
import { markRequestStale, type ChangeRequestRow } from "./change-request.repo.ts";

export const PROPOSED_WITH_REVOKED_TOKEN = "it was proposed with a token revoked since";

/** True when the request was proposed with a token that has been revoked. */
export async function authorTokenRevoked(q: Queryable, cr: Pick<ChangeRequestRow, "authorJti">): Promise<boolean> {
  if (cr.authorJti === null) return false;
  return (await q`select 1 from issued_tokens where jti = ${cr.authorJti} and revoked_at is not null`).length > 0;
}

/** Marks stale, audited as `change.stale`, every open request proposed with token `jti`. */
export async function markProposedWithStale(tx: Tx, jti: string, who: AuditActor): Promise<void> {
  await markStaleProposedWith(tx, jti, (await openRequestsProposedWith(tx, [jti])).get(jti) ?? [], who);
}

/** Marks requests `ids` (open, proposed with the revoked token `jti`: openRequestsProposedWith) stale, each audited as `change.stale`. */
export async function markStaleProposedWith(tx: Tx, jti: string, ids: readonly string[], who: AuditActor): Promise<void> {
  for (const id of ids) await markRequestStale(tx, id, `${PROPOSED_WITH_REVOKED_TOKEN} (${jti})`, who);
}

/** The open requests proposed with any of `jtis`, locked, in id order per token: one statement for a whole set of revoked tokens. */
export async function openRequestsProposedWith(tx: Tx, jtis: readonly string[]): Promise<Map<string, string[]>> {
  const byToken = new Map<string, string[]>();
  if (jtis.length === 0) return byToken;
  const open = await tx<{ id: string; jti: string }[]>`select id, author_jti as jti from change_requests
    where author_jti = any(${jtis as string[]}::text[]) and status in ('pending', 'approved', 'scheduled') order by id for update`;
  for (const { id, jti } of open) byToken.set(jti, [...(byToken.get(jti) ?? []), id]);
  return byToken;
}
