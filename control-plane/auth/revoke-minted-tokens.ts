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
import { markProposedWithStale } from "../changes/proposed-with-revoked-token.ts";
import type { Queryable, Tx } from "../db/client.ts";
import { findIssuedToken, markTokenRevoked } from "./principal.repo.ts";

/** Tokens minted with `jti`, then with those in turn, nearest first: each with the token it was minted with. */
export async function tokensMintedWith(q: Queryable, jti: string): Promise<{ jti: string; mintedWith: string }[]> {
  return [
    ...(await q<{ jti: string; mintedWith: string }[]>`
      with recursive minted(jti, minted_with, depth) as (
        select jti, issued_with, 1 from issued_tokens where issued_with = ${jti}
        union all
        select t.jti, t.issued_with, m.depth + 1 from issued_tokens t join minted m on t.issued_with = m.jti
      )
      select jti, minted_with as "mintedWith" from minted order by depth, jti`),
  ];
}

/**
 * In `revokeToken`'s transaction, after `jti`'s own revocation: revokes each token minted with it and
 * voids what it did as the revoked token's own acts are voided (its approvals stop counting through
 * revoked_at, its open proposals go stale), each audited as `token.revoke` (naming `revokedWith`, the
 * token the operator revoked, and `mintedWith`) followed by its `change.stale` rows. A token already
 * revoked on its own is passed over: what it did was voided then. Expired ones are revoked too, since
 * an approval whose token merely expired still counts.
 */
export async function revokeMintedTokens(tx: Tx, jti: string, who: AuditActor): Promise<void> {
  for (const minted of await tokensMintedWith(tx, jti)) {
    const before = await findIssuedToken(tx, minted.jti);
    if (!before || before.revokedAt !== null) continue;
    const after = await markTokenRevoked(tx, minted.jti);
    await appendAudit(tx, { action: "token.revoke", target: minted.jti, before, after: { ...after, revokedWith: jti, mintedWith: minted.mintedWith }, ...auditedBy(who) });
    await markProposedWithStale(tx, minted.jti, who);
  }
}
