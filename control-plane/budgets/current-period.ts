/**
 * The current day and month period keys in an IANA time zone, exactly as the proxy computes them
 * (region-proxy/counters/period.ts): both sides must name the same period for the same instant.
 */
export function currentPeriods(now: Date, timeZone: string): { day: string; month: string } {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(now);
  const part = (type: "year" | "month" | "day") => parts.find((p) => p.type === type)!.value;
  const year = part("year").padStart(4, "0");
  return { day: `day:${year}-${part("month")}-${part("day")}`, month: `month:${year}-${part("month")}` };
}
