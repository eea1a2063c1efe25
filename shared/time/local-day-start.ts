/**
 * When a local date begins in an IANA time zone: the FIRST instant whose local date (localDateText,
 * Intl) is that date or later. That is the instant the proxy's period label turns over, so a budget
 * period [start of D, start of D+1) holds exactly the spend the proxy labels D.
 *
 * Not PostgreSQL's `'D'::timestamp at time zone tz`: where clocks fall back across midnight
 * (Atlantic/Azores 2026-10-25, America/Havana 2026-11-01: 01:00 back to 00:00) local midnight happens
 * twice and PostgreSQL picks the second, an hour after the proxy's day began. Where midnight is skipped
 * (clocks jump from 23:59:59 to 01:00) the day begins at the jump; a date skipped whole (Pacific/Apia
 * 2011-12-30) is an empty period, as the proxy never labels it.
 */
import { boundedMemo } from "../bounded-memo.ts";
import { localDateText } from "./local-date.ts";

const HOUR_MS = 3_600_000;
/** Every offset lies within ±16 h of UTC (the tz database's extremes are −12 h and +14 h). */
const REACH_MS = 16 * HOUR_MS;
/** The scan's step: shorter than any span a zone keeps a date before falling back out of it. */
const STEP_MS = HOUR_MS / 2;

/** Answers kept (zone|date); past this the memo starts over. */
const MAX_REMEMBERED = 10_000;
const remembered = boundedMemo<Date>(MAX_REMEMBERED);

/**
 * @example localDayStart("2026-10-25", "Atlantic/Azores") // 2026-10-25T00:00:00.000Z (the first of its two midnights)
 * @example localDayStart("2026-11-26", "America/New_York") // 2026-11-26T05:00:00.000Z
 * Throws RangeError for an unknown zone or a malformed date.
 */
export function localDayStart(date: string, timeZone: string): Date {
  // A copy: the caller may change the Date it is given; the remembered one stays as it was.
  return new Date(remembered.get(`${timeZone}|${date}`, () => firstInstantOf(date, timeZone)).getTime());
}

function firstInstantOf(date: string, timeZone: string): Date {
  const wall = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(wall)) throw new RangeError(`not a date: ${date}`);
  const reached = (t: number) => localDateText(t, timeZone) >= date;
  // Scan forward for the first step on or past the date, then halve the step before it down to a
  // second (every offset is whole seconds, so a local date begins on one).
  let hi = wall - REACH_MS;
  while (!reached(hi)) {
    hi += STEP_MS;
    if (hi > wall + REACH_MS) throw new RangeError(`${date} never begins in ${timeZone}`);
  }
  let lo = hi - STEP_MS; // not reached: the scan started before every zone's midnight
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (reached(mid)) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}
