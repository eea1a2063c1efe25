/**
 * Budget periods in the tenant's own time zone: a team in New York spends "today" by New York's clock,
 * so its daily budget resets at its midnight, not at UTC's.
 */

export interface PeriodKeys {
  day: string;
  month: string;
}

/**
 * The day and month period keys for `now` in an IANA `timeZone`.
 * @example periodKeys(new Date("2026-11-26T03:00:00Z"), "America/New_York") // { day: "day:2026-11-25", month: "month:2026-11" }
 * Throws RangeError for an unknown time zone (a snapshot bug, not a request error).
 */
export function periodKeys(now: Date, timeZone: string): PeriodKeys {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(now);
  const part = (type: "year" | "month" | "day") => parts.find((p) => p.type === type)!.value;
  const year = part("year").padStart(4, "0");
  return { day: `day:${year}-${part("month")}-${part("day")}`, month: `month:${year}-${part("month")}` };
}
