/**
 * Revoking a token reaches every token minted with it (`issueToken` called with it: `issued_with`),
 * and every token minted with those, transitively. `revokeToken` is the answer to a stolen token; a
 * thief who minted a fresh one with it before the revocation would otherwise keep acting, and keep
 * minting, with what it minted, and its proposals would stay open.
 *
 * Done at revoke time, not by walking a token's issuer chain on every request: authentication stays
 * one indexed statement, and it is exact under races, because `issueToken` and `revokeToken` both run
 * under the config lock, re-authenticating once they hold it (auth/still-allowed.ts). A token minted
 * before the revocation took the lock is found here; an `issueToken` queued behind it is refused
 * (its token is revoked by then); nothing can mint with a revoked token afterwards.
 */
import { appendAudit } from "../audit/audit.repo.ts";
import { auditedBy, type AuditActor } from "../audit/audit-actor.ts";
import { markStaleProposedWith, openRequestsProposedWith } from "../changes/proposed-with-revoked-token.ts";
import type { Tx } from "../db/client.ts";
import type { IssuedTokenRow } from "./principal.repo.ts";

/**
 * In `revokeToken`'s transaction, after `jti`'s own revocation: revokes each token minted with it and
 * voids what it did as the revoked token's own acts are voided (its approvals stop counting through
 * revoked_at, its open proposals go stale), each audited as `token.revoke` (naming `revokedWith`, the
 * token the operator revoked, and `mintedWith`) followed by its `change.stale` rows. A token already
 * revoked on its own is passed over: what it did was voided then. Expired ones are revoked too, since
 * an approval whose token merely expired still counts.
 *
 * Set-based, as it runs under the config lock: one statement finds and revokes them all, one finds the
 * open requests they proposed (a year of hourly self-renewal is ~8,760 tokens; a token at a time held
 * the lock 44-56 s). The audit rows are still appended one at a time: appendAudit has no bulk form.
 */
export async function revokeMintedTokens(tx: Tx, jti: string, who: AuditActor): Promise<void> {
  const revoked = await tx<(IssuedTokenRow & { mintedWith: string; depth: number })[]>`
    with recursive minted(jti, minted_with, depth) as (
      select jti, issued_with, 1 from issued_tokens where issued_with = ${jti}
      union all
      select t.jti, t.issued_with, m.depth + 1 from issued_tokens t join minted m on t.issued_with = m.jti
    )
    update issued_tokens t set revoked_at = now() from minted m where t.jti = m.jti and t.revoked_at is null
    returning t.jti, t.principal_id as "principalId", t.issued_at as "issuedAt", t.expires_at as "expiresAt",
      t.revoked_at as "revokedAt", m.minted_with as "mintedWith", m.depth`;
  // Nearest first, as the walk revoked them; RETURNING has no order of its own.
  revoked.sort((a, b) => a.depth - b.depth || (a.jti < b.jti ? -1 : a.jti > b.jti ? 1 : 0));
  const proposed = await openRequestsProposedWith(tx, revoked.map((r) => r.jti));
  for (const { mintedWith, depth: _, ...after } of revoked) {
    const before = { ...after, revokedAt: null };
    await appendAudit(tx, { action: "token.revoke", target: after.jti, before, after: { ...after, revokedWith: jti, mintedWith }, ...auditedBy(who) });
    await markStaleProposedWith(tx, after.jti, proposed.get(after.jti) ?? [], who);
  }
}
