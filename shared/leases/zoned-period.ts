/**
 * A budget period's identity: its calendar label AND the time zone it is counted in,
 * `day:2026-03-09@Asia/Tokyo`. A label alone names a different span of instants in every zone, so
 * after an org's zone changes the same label would carry the old zone's spend (counters, leases,
 * alerts) into the new zone's day. Both sides key everything they keep for a period by this identity:
 * the proxy's counters and stored leases (periodKeys), the control plane's lease rows and alerts.
 *
 * On the lease wire the label and the zone travel apart (`period` and `timeZone`, lease-wire.ts), so a
 * control plane that predates the zone still reads the ask.
 */

/** Zone names hold no "@" (tz database names are letters, digits, "/", "_", "+", "-"). */
const SEPARATOR = "@";

/** @example zonedPeriod("day:2026-03-09", "Asia/Tokyo") // "day:2026-03-09@Asia/Tokyo" */
export function zonedPeriod(label: string, timeZone: string): string {
  return `${label}${SEPARATOR}${timeZone}`;
}

/**
 * The label and zone of an identity; a bare label (a proxy or a row older than the zone) has none.
 * @example splitZonedPeriod("day:2026-03-09@Asia/Tokyo") // { label: "day:2026-03-09", timeZone: "Asia/Tokyo" }
 * @example splitZonedPeriod("day:2026-03-09") // { label: "day:2026-03-09", timeZone: null }
 */
export function splitZonedPeriod(period: string): { label: string; timeZone: string | null } {
  const at = period.indexOf(SEPARATOR);
  return at < 0 ? { label: period, timeZone: null } : { label: period.slice(0, at), timeZone: period.slice(at + 1) };
}

/**
 * The lease wire's fields for a period (lease-wire.ts LeaseAsk): the label as `period`, its zone as
 * `timeZone` when it has one.
 * @example wirePeriod("day:2026-03-09@Asia/Tokyo") // { period: "day:2026-03-09", timeZone: "Asia/Tokyo" }
 */
export function wirePeriod(period: string): { period: string; timeZone?: string } {
  const { label, timeZone } = splitZonedPeriod(period);
  return timeZone === null ? { period: label } : { period: label, timeZone };
}
