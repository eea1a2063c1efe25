/**
 * The calendar date of an instant in an IANA time zone, as Intl reads it. The one rule for budget
 * periods on both sides: the proxy labels spend with it (region-proxy/counters/period.ts) and the
 * control plane bounds its ledger windows with it (local-day-start.ts), so a period is the same span
 * of instants to both, however either side's tz database resolves an ambiguous or skipped wall time.
 */
import { boundedMemo } from "../bounded-memo.ts";

/** Distinct zones kept; past this the cache starts over, so odd input cannot grow it without end. */
const MAX_ZONES = 1_000;
const formats = boundedMemo<Intl.DateTimeFormat>(MAX_ZONES);

/**
 * One formatter per zone (building one costs ~40 us). Throws RangeError for an unknown zone, before
 * anything is cached.
 */
function localDateFormat(timeZone: string): Intl.DateTimeFormat {
  return formats.get(timeZone, dateFormatIn);
}

function dateFormatIn(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
}

export interface LocalDate {
  /** Four digits, zero-padded. */
  year: string;
  /** Two digits. */
  month: string;
  /** Two digits. */
  day: string;
}

/**
 * @example localDate(new Date("2026-11-26T03:00:00Z"), "America/New_York") // { year: "2026", month: "11", day: "25" }
 */
export function localDate(instant: Date | number, timeZone: string): LocalDate {
  const parts = localDateFormat(timeZone).formatToParts(instant);
  const part = (type: "year" | "month" | "day") => parts.find((p) => p.type === type)!.value;
  return { year: part("year").padStart(4, "0"), month: part("month"), day: part("day") };
}

/** `YYYY-MM-DD` of localDate: compares as dates do. */
export function localDateText(instant: Date | number, timeZone: string): string {
  const d = localDate(instant, timeZone);
  return `${d.year}-${d.month}-${d.day}`;
}

/**
 * The day and month period labels of an instant in a zone, as budgets name them on both sides (the
 * proxy adds the zone: region-proxy/counters/period.ts).
 * @example periodLabels(new Date("2026-11-26T03:00:00Z"), "America/New_York") // { day: "day:2026-11-25", month: "month:2026-11" }
 */
export function periodLabels(instant: Date | number, timeZone: string): { day: string; month: string } {
  const d = localDate(instant, timeZone);
  return { day: `day:${d.year}-${d.month}-${d.day}`, month: `month:${d.year}-${d.month}` };
}
