/**
 * Reads how long a vendor asks us to wait: `retry-after-ms` (OpenAI/Azure) wins over `retry-after`
 * (seconds or an HTTP date, RFC 9110 §10.2.3). A number is read only when written in digits (a decimal
 * fraction allowed): "0x10", "1e3" or "1, 2" (the header sent twice) are not a wait. A date only when it
 * is one of HTTP's three date forms, whole (Date.parse alone reads far more), naming a day its month
 * has (Date.parse reads 31 Nov as 1 Dec). Anything else, or
 * a negative wait, means "not given"; a wait beyond MAX_RETRY_AFTER_MS is read as that much, so what
 * the client is told stays a number of seconds it can use.
 *
 * @example retryAfterMs(new Headers({ "retry-after": "2" }), Date.now()) // 2000
 */

/** A day: longer than any vendor quota window resets within, and far past any request's budget. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** Digits, with an optional decimal fraction, and nothing else. */
const DECIMAL = /^\s*\d+(?:\.\d+)?\s*$/;
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
/**
 * RFC 9110 §5.6.7's time-of-day, 00:00:00 - 23:59:60 (a leap second), and day of month 01-31: Bun's
 * Date.parse misreads numbers beyond them (asctime second 60-99 or an RFC 850 day 99 as a year, an
 * IMF-fixdate second of 60+ dropped), each a wait of 0.
 */
const TIME = "(?:[01]\\d|2[0-3]):[0-5]\\d:(?:[0-5]\\d|60)";
const DAY2 = "(?:0[1-9]|[12]\\d|3[01])";
/** A four-digit year from 1000: Bun's Date.parse reads 0000-0099 as 19xx/20xx ("28 Nov 0026" as 2026). */
const YEAR4 = "[1-9]\\d{3}";
/** A leap second, which Date.parse cannot read: read as :59 and one second added. */
const LEAP_SECOND = /(:[0-5]\d):60(?=\s)/;
/**
 * The three HTTP-date forms of RFC 9110 §5.6.7, whole: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"),
 * RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994"). Only these reach
 * Date.parse, which reads far more ("Mon, 2030" as a date, trailing junk as another month).
 */
const HTTP_DATE = new RegExp(
  `^\\s*(?:${DAY}, ${DAY2} ${MONTH} ${YEAR4} ${TIME} GMT|${DAY}[a-z]{3,6}, ${DAY2}-${MONTH}-\\d{2} ${TIME} GMT|${DAY} ${MONTH} (?: [1-9]|${DAY2}) ${TIME} ${YEAR4})\\s*$`,
);
/** The asctime form, which names no zone: GMT, as every HTTP-date is (Date.parse alone reads it as local time). */
const ASCTIME_END = /\d{4}\s*$/;
/** The day of month: in each of the three forms, the first number. */
const STATED_DAY = /\d+/;

export function retryAfterMs(headers: Headers, nowMs: number): number | null {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && DECIMAL.test(ms)) return boundedWaitMs(Number(ms));
  const after = headers.get("retry-after");
  if (after === null) return null;
  if (DECIMAL.test(after)) return boundedWaitMs(Number(after) * 1000);
  if (!HTTP_DATE.test(after)) return null;
  const leap = LEAP_SECOND.test(after);
  const text = leap ? after.replace(LEAP_SECOND, "$1:59") : after;
  const date = Date.parse(ASCTIME_END.test(text) ? `${text.trim()} GMT` : text);
  // A day the month lacks (31 Nov, 30 Feb, 29 Feb of a common year) is rolled into the next month by
  // Date.parse: not a date the vendor wrote, so no wait.
  if (Number.isNaN(date) || new Date(date).getUTCDate() !== Number(STATED_DAY.exec(text)![0])) return null;
  return boundedWaitMs(Math.max(0, date + (leap ? 1000 : 0) - nowMs));
}

/**
 * A vendor's stated wait in milliseconds, made safe to tell a client: NaN or a negative wait is "not
 * given" (null); a wait beyond MAX_RETRY_AFTER_MS, an overflow to Infinity from a very long run of
 * digits included, is that much. Every wait a vendor states, in a header or in its body (Gemini's
 * RetryInfo), goes through here.
 *
 * @example boundedWaitMs(1e20) // 86_400_000
 */
export function boundedWaitMs(ms: number): number | null {
  if (Number.isNaN(ms) || ms < 0) return null;
  return Math.min(MAX_RETRY_AFTER_MS, Math.round(ms));
}

