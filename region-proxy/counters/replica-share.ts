/**
 * A replica's share of a region's limit, enforced in memory while Redis fails (REPLICA_SHARE: 1 / the
 * replica count), so the region as a whole stays near its limits.
 */

/**
 * Scales a limit to this replica's share; a positive limit never rounds down to "refuse everything".
 *
 * @example shareOf(20, 0.5) // 10
 * @example shareOf(1, 0.5)  // 1
 */
export function shareOf(limit: number | null | undefined, share: number): number | null | undefined {
  if (limit === null || limit === undefined || limit <= 0) return limit;
  return Math.max(1, Math.floor(limit * share));
}
