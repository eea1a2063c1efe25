/**
 * OpenAI's rate-limit headers, on refusals and on successful answers alike:
 * `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, where reset is "the time until the rate limit
 * resets to its initial state", written as a Go duration (`1s`, `6m0s`, `12ms`, `8.64s`).
 * https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers
 * Only kinds some level limits get headers: there is no honest value for "no limit".
 */
import { LIMIT_PERIOD_MS, type LimitVerdict, type LimitWindow } from "../counters/rate-limit-types.ts";

/**
 * A millisecond count in Go's time.Duration format, to the millisecond.
 * @example formatReset(0) // "0s"; formatReset(12) // "12ms"; formatReset(1000) // "1s"; formatReset(360000) // "6m0s"; formatReset(8640) // "8.64s"
 */
export function formatReset(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total === 0) return "0s";
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const millis = total % 60_000;
  const seconds = `${Math.floor(millis / 1000)}${millis % 1000 === 0 ? "" : `.${String(millis % 1000).padStart(3, "0").replace(/0+$/, "")}`}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

/** The header set for a verdict: the tightest level per kind (the limiter picks it). */
export function ratelimitHeaders(verdict: Pick<LimitVerdict, "requests" | "tokens">): Record<string, string> {
  const headers: Record<string, string> = {};
  if (verdict.requests) {
    headers["x-ratelimit-limit-requests"] = String(verdict.requests.limit);
    headers["x-ratelimit-remaining-requests"] = remaining(verdict.requests);
    headers["x-ratelimit-reset-requests"] = formatReset(verdict.requests.resetMs);
  }
  if (verdict.tokens) {
    headers["x-ratelimit-limit-tokens"] = String(verdict.tokens.limit);
    headers["x-ratelimit-remaining-tokens"] = remaining(verdict.tokens);
    headers["x-ratelimit-reset-tokens"] = formatReset(verdict.tokens.resetMs);
  }
  return headers;
}

function remaining(window: LimitWindow): string {
  return String(Math.max(0, Math.floor(window.remaining)));
}

/**
 * The token window as it stands once a request's token charge was given back (a budget refused it
 * after the rate levels admitted it): that much more remains, and it is full that much sooner.
 */
export function withTokensRefunded(window: LimitWindow, tokens: number): LimitWindow {
  if (window.limit <= 0) return window;
  const remaining = Math.min(window.limit, window.remaining + tokens);
  // Full again: nothing to wait for (the charge's reset was rounded up, so subtracting leaves up to 1 ms).
  if (remaining === window.limit) return { limit: window.limit, remaining, resetMs: 0 };
  return { limit: window.limit, remaining, resetMs: Math.max(0, window.resetMs - (tokens * LIMIT_PERIOD_MS) / window.limit) };
}
