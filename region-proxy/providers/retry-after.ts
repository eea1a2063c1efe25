/**
 * Reads how long a vendor asks us to wait: `retry-after-ms` (OpenAI/Azure) wins over `retry-after`
 * (seconds or an HTTP date, RFC 9110 §10.2.3). Anything unparsable or negative means "not given";
 * a wait beyond MAX_RETRY_AFTER_MS is read as that much, so what the client is told stays a number
 * of seconds it can use (never `Infinity` from "1e308").
 *
 * @example retryAfterMs(new Headers({ "retry-after": "2" }), Date.now()) // 2000
 */

/** A day: longer than any vendor quota window resets within, and far past any request's budget. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

export function retryAfterMs(headers: Headers, nowMs: number): number | null {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return bounded(value);
  }
  const after = headers.get("retry-after");
  if (after === null || after.trim() === "") return null;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds >= 0 ? bounded(seconds * 1000) : null;
  const date = Date.parse(after);
  if (Number.isNaN(date)) return null;
  return bounded(Math.max(0, date - nowMs));
}

const bounded = (ms: number) => Math.min(MAX_RETRY_AFTER_MS, Math.round(ms));
