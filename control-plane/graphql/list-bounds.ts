/**
 * How many entries a list argument may hold. Each of these lists is signed into every region's
 * snapshot, which every proxy downloads and which must stay under SNAPSHOT_MAX_BYTES: unbounded, one
 * caller (a tenant admin's createKey) could grow it past that and stop every proxy taking config
 * (revocations included). The bounds are far above real use; a longer list is BAD_USER_INPUT, never cut.
 */
import { badInput } from "./errors.ts";

/** A key's allowedAliases and allowedRegions. */
export const MAX_KEY_ALIASES = 100;
export const MAX_KEY_REGIONS = 100;
/** A tenant policy's allowedAliases, allowedJurisdictions and featureLimits. */
export const MAX_POLICY_ALIASES = 200;
export const MAX_POLICY_JURISDICTIONS = 50;
export const MAX_FEATURE_LIMITS = 500;
/** A deployment's flags. */
export const MAX_DEPLOYMENT_FLAGS = 32;

/**
 * The list itself when it holds at most `max` entries (duplicates count), else BAD_USER_INPUT naming
 * `field`. Checked before the entries are, so an oversized list costs no per-entry work.
 *
 * @example requireAtMost("allowedAliases", input.allowedAliases, MAX_KEY_ALIASES)
 */
export function requireAtMost<T>(field: string, value: readonly T[], max: number): readonly T[] {
  if (value.length > max) throw badInput(field, `must hold at most ${max} entries (${value.length} given)`);
  return value;
}
