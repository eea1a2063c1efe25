/**
 * How long a principal may renew its own token (HashiCorp Vault's explicit max TTL). A token's lineage
 * starts when someone else, an admin or the bootstrap token, issues it (migration 0113); a token the
 * principal issues itself with its current one stays in that one's lineage, and may not expire later
 * than ADMIN_JWT_MAX_LINEAGE_HOURS after the start: a renewal reaching past that end is cut to it (the
 * answer's `expiresAt` says so), and once it has come renewal is refused, FORBIDDEN. So a leaked token
 * renews itself for that long at most, not until someone revokes it; its holder then needs a token
 * someone else issues. An admin renewing itself is held to this as anyone; two admins can start each
 * other new lineages (A's token issues B's, that one A's), left open since an admin's token can mint
 * a new admin anyway: the answer to a leaked one is revokeToken, which reaches every token minted with
 * it, whoever it was issued to (revoke-minted-tokens.ts; GOVERNANCE.md).
 */
import { forbidden } from "./access.ts";
import type { Principal } from "./principal.ts";

/** ADMIN_JWT_MAX_LINEAGE_HOURS's default: 32 days, Vault's default max TTL. */
export const DEFAULT_MAX_LINEAGE_HOURS = 768;
/** Its bounds (config.ts): at least a token's hour, at most a year. */
export const MAX_LINEAGE_HOURS_RANGE = { min: 1, max: 8760 } as const;

const HOUR_MS = 3_600_000;

/** Where a token being issued stands: its lineage's start and the ttl it may have in it. */
interface LineagePlace {
  startedAt: Date;
  ttlSeconds: number;
}

/**
 * `ttlSeconds` or less, so that a token issued at `now` (whole seconds, as its JWT) expires by the end
 * of the lineage started at `startedAt`; FORBIDDEN when that end has come.
 */
function ttlWithinLineage(ttlSeconds: number, now: Date, startedAt: Date, maxHours: number): number {
  // To the second, as the last token's expiresAt names it (a JWT's exp is whole seconds).
  const endSeconds = Math.floor((startedAt.getTime() + maxHours * HOUR_MS) / 1000);
  const left = endSeconds - Math.floor(now.getTime() / 1000);
  if (left < 1) {
    throw forbidden(
      `this token's renewals ended at ${new Date(endSeconds * 1000).toISOString()}, ${maxHours} h (ADMIN_JWT_MAX_LINEAGE_HOURS) after an admin or the bootstrap token issued the first of them: ask one for a new token`,
    );
  }
  return Math.min(ttlSeconds, left);
}

/**
 * The lineage of a token `caller` issues at `now` for `principalId`: a new one, unless the caller issues
 * for itself with a token (a renewal), which keeps that token's, read with it (authenticate: again
 * under the config lock, still-allowed.ts). The bootstrap token has none: what it issues starts one.
 */
export function placeInLineage(caller: Principal, principalId: string, ttlSeconds: number, now: Date, maxHours: number): LineagePlace {
  if (principalId !== caller.id || caller.jti === null) return { startedAt: now, ttlSeconds };
  // authenticate sets it whenever it sets jti (the token's row, read in the same statement); only a
  // Principal made some other way could lack it, and that one must not renew past any end.
  const startedAt = caller.lineageStartedAt;
  if (!startedAt) throw new Error(`issueToken: the caller's principal carries no lineage start for its token ${caller.jti}`);
  return { startedAt, ttlSeconds: ttlWithinLineage(ttlSeconds, now, startedAt, maxHours) };
}
