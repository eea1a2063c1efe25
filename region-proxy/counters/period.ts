/**
 * Budget periods in the tenant's own time zone: a team in New York spends "today" by New York's clock,
 * so its daily budget resets at its midnight, not at UTC's. Each key names its zone
 * (`day:2026-11-25@America/New_York`, shared/leases/zoned-period.ts): counters and leases are kept per
 * key, so when the org's zone changes the new zone's day starts its own, instead of inheriting the spend
 * of the old zone's day of the same date.
 *
 * This runs for every request that has a budget, so nothing is built per call: one formatter per time
 * zone (constructing an `Intl.DateTimeFormat` cost ~40 us, more than the rest of the request path), and
 * the last answer per zone is kept for the rest of its second. That is exact: a UTC offset is a whole
 * number of seconds in every tz database zone, so a local day or month can only begin on a second.
 */
import { zonedPeriod } from "../../shared/leases/zoned-period.ts";
import { periodLabels } from "../../shared/time/local-date.ts";

export interface PeriodKeys {
  day: string;
  month: string;
}

/** Per zone, the last answer and the UTC second it was computed for. */
const zones = new Map<string, { second: number; last: PeriodKeys }>();

/**
 * The day and month period keys for `now` in an IANA `timeZone`.
 * @example periodKeys(new Date("2026-11-26T03:00:00Z"), "America/New_York")
 *   // { day: "day:2026-11-25@America/New_York", month: "month:2026-11@America/New_York" }
 * Throws RangeError for an unknown time zone (a snapshot bug, not a request error).
 */
export function periodKeys(now: Date, timeZone: string): PeriodKeys {
  const second = Math.floor(now.getTime() / 1000);
  const zone = zones.get(timeZone);
  if (zone !== undefined && zone.second === second) return zone.last;
  // The formatter is the control plane's too (shared/time/local-date.ts: one per zone); it throws for
  // an unknown zone before anything is cached here, so a bad name never fills the map.
  const labels = periodLabels(now, timeZone);
  const keys: PeriodKeys = Object.freeze({ day: zonedPeriod(labels.day, timeZone), month: zonedPeriod(labels.month, timeZone) });
  if (zone === undefined) zones.set(timeZone, { second, last: keys });
  else {
    zone.second = second;
    zone.last = keys;
  }
  return keys;
}
