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
import { localDateFormat } from "../../shared/time/local-date.ts";

export interface PeriodKeys {
  day: string;
  month: string;
}

interface ZonePeriods {
  format: Intl.DateTimeFormat;
  /** The UTC second `last` was computed for. */
  second: number;
  last: PeriodKeys | null;
}

const zones = new Map<string, ZonePeriods>();

/**
 * The day and month period keys for `now` in an IANA `timeZone`.
 * @example periodKeys(new Date("2026-11-26T03:00:00Z"), "America/New_York")
 *   // { day: "day:2026-11-25@America/New_York", month: "month:2026-11@America/New_York" }
 * Throws RangeError for an unknown time zone (a snapshot bug, not a request error).
 */
export function periodKeys(now: Date, timeZone: string): PeriodKeys {
  const zone = zoneFor(timeZone);
  const second = Math.floor(now.getTime() / 1000);
  if (zone.last !== null && zone.second === second) return zone.last;
  const parts = zone.format.formatToParts(now);
  const part = (type: "year" | "month" | "day") => parts.find((p) => p.type === type)!.value;
  const year = part("year").padStart(4, "0");
  const keys: PeriodKeys = Object.freeze({
    day: zonedPeriod(`day:${year}-${part("month")}-${part("day")}`, timeZone),
    month: zonedPeriod(`month:${year}-${part("month")}`, timeZone),
  });
  zone.second = second;
  zone.last = keys;
  return keys;
}

function zoneFor(timeZone: string): ZonePeriods {
  let zone = zones.get(timeZone);
  if (!zone) {
    // Throws for an unknown zone before anything is cached, so a bad name never fills the map.
    // The control plane bounds its ledger windows with the same formatter (shared/time/local-day-start.ts).
    zone = { format: localDateFormat(timeZone), second: 0, last: null };
    zones.set(timeZone, zone);
  }
  return zone;
}
