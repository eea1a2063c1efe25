/**
 * Reads how long a vendor asks us to wait: `retry-after-ms` (OpenAI/Azure) wins over `retry-after`
 * (seconds or an HTTP date, RFC 9110 §10.2.3). Anything unparsable or negative means "not given".
 *
 * @example retryAfterMs(new Headers({ "retry-after": "2" }), Date.now()) // 2000
 */
export function retryAfterMs(headers: Headers, nowMs: number): number | null {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const after = headers.get("retry-after");
  if (after === null || after.trim() === "") return null;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : null;
  const date = Date.parse(after);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}
