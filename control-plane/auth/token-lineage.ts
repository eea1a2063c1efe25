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
import type { Queryable } from "../db/client.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { forbidden } from "./access.ts";
import { findLineageStart } from "./principal.repo.ts";

/** ADMIN_JWT_MAX_LINEAGE_HOURS's default: 32 days, Vault's default max TTL. */
export const DEFAULT_MAX_LINEAGE_HOURS = 768;
/** Its bounds (config.ts): at least a token's hour, at most a year. */
export const MAX_LINEAGE_HOURS_RANGE = { min: 1, max: 8760 } as const;

const HOUR_MS = 3_600_000;

/** Where a token being issued stands: its lineage's start and the ttl it may have in it. */
export interface LineagePlace {
  startedAt: Date;
  ttlSeconds: number;
}

/**
 * `ttlSeconds` or less, so that a token issued at `now` (whole seconds, as its JWT) expires by the end
 * of the lineage started at `startedAt`; FORBIDDEN when that end has come.
 */
export function ttlWithinLineage(ttlSeconds: number, now: Date, startedAt: Date, maxHours: number): number {
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
 * The lineage of a token issued at `now` for `principalId`: a new one, unless the caller issues for
 * itself with a token (a renewal), which keeps that token's. Read under the config lock (one row).
 */
export async function placeInLineage(q: Queryable, ctx: GraphQLContext, principalId: string, ttlSeconds: number, now: Date): Promise<LineagePlace> {
  const minting = ctx.principal.jti;
  if (principalId !== ctx.principal.id || minting === null) return { startedAt: now, ttlSeconds };
  const startedAt = await findLineageStart(q, minting);
  // The caller was authenticated again under the lock, so its token's row is there.
  if (!startedAt) throw new Error(`issueToken: the caller's token ${minting} has no issued_tokens row`);
  return { startedAt, ttlSeconds: ttlWithinLineage(ttlSeconds, now, startedAt, ctx.deps.governance.adminJwtMaxLineageHours) };
}
