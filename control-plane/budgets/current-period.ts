import { localDate } from "../../shared/time/local-date.ts";

/**
 * The current day and month period keys in an IANA time zone, exactly as the proxy computes them
 * (region-proxy/counters/period.ts, by the same shared rule): both sides must name the same period for the same instant.
 */
export function currentPeriods(now: Date, timeZone: string): { day: string; month: string } {
  const d = localDate(now, timeZone);
  return { day: `day:${d.year}-${d.month}-${d.day}`, month: `month:${d.year}-${d.month}` };
}
