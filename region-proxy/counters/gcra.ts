/**
 * GCRA (generic cell rate algorithm): the limiter's arithmetic, shared by the in-process limiter and
 * mirrored line for line by the Lua script in redis-rate-limiter.ts (the shared test suite keeps them equal).
 *
 * Why GCRA and not a fixed window: a fixed window admits 2x the limit across a window edge and resets
 * everyone at once. GCRA is a token bucket of capacity `limit` refilled at `limit` per period, kept as ONE
 * number per level (the theoretical arrival time, TAT), so it is exact by its own definition (no
 * "uniform traffic" guess as in the two-window sliding estimate), O(1), and gives exact retry-after,
 * remaining and reset values. Accuracy bound: a full bucket admits a burst of `limit`, and the refill
 * adds `limit` more over the next period, so any trailing 60 s window sees at most 2*limit - 1 requests
 * (the same worst case as the sliding-window estimate), while the long-run rate never exceeds `limit`
 * per period. Tokens work the same way with cost = token count; a debt (adjustTokens after a long
 * answer) pushes the TAT past now + period and refuses until it drains.
 */

/** Float slack so that accumulated period/limit fractions never refuse an exactly-fitting request. */
export const GCRA_EPSILON = 1e-6;

/**
 * The longest wait either limiter reports: 2^52 ms (~142,000 years). A huge token count at a small TPM
 * makes a wait of ~1e20 ms, past what a Redis integer reply carries (the Lua number is cast to a
 * 64-bit integer and came back negative, which read as "admitted") and past a valid PX; ioredis also
 * rounds integer replies near 2^53, so the ceiling sits one power of two lower. Both limiters clamp here.
 */
export const GCRA_MAX_WAIT_MS = 2 ** 52;

/** The outcome of charging `cost` on one level (nothing is written; the caller commits `newTat`). */
export interface GcraStep {
  allowed: boolean;
  /** TAT after the charge (only meaningful when allowed). */
  newTat: number;
  /** 0 when allowed; otherwise the wait until this level would admit `cost`. */
  retryAfterMs: number;
}

/**
 * Charges `cost` against a level whose stored TAT is `tat` (undefined = never used).
 * A limit of 0 refuses everything, with a retry of one period.
 */
export function gcraStep(tat: number | undefined, nowMs: number, limit: number, cost: number, periodMs: number): GcraStep {
  const base = Math.max(tat ?? nowMs, nowMs);
  if (limit <= 0) return { allowed: false, newTat: base, retryAfterMs: periodMs };
  const newTat = base + (cost * periodMs) / limit;
  const allowAt = newTat - periodMs;
  if (allowAt <= nowMs + GCRA_EPSILON) return { allowed: true, newTat, retryAfterMs: 0 };
  return { allowed: false, newTat: base, retryAfterMs: Math.min(GCRA_MAX_WAIT_MS, Math.ceil(allowAt - nowMs - GCRA_EPSILON)) };
}

/** Header values for a level whose TAT is `tat`: what is left now and when it is full again. */
export function gcraWindow(tat: number | undefined, nowMs: number, limit: number, periodMs: number): { remaining: number; resetMs: number } {
  const base = Math.max(tat ?? nowMs, nowMs);
  if (limit <= 0) return { remaining: 0, resetMs: periodMs };
  const used = ((base - nowMs) * limit) / periodMs;
  const remaining = Math.min(limit, Math.max(0, Math.floor(limit - used + GCRA_EPSILON)));
  return { remaining, resetMs: Math.min(GCRA_MAX_WAIT_MS, Math.max(0, Math.ceil(base - nowMs - GCRA_EPSILON))) };
}

/** TAT after correcting a token charge by `delta` (negative refunds, never beyond a full bucket). */
export function gcraAdjust(tat: number | undefined, nowMs: number, limit: number, delta: number, periodMs: number): number {
  const base = Math.max(tat ?? nowMs, nowMs);
  if (limit <= 0) return base;
  return Math.max(nowMs, base + (delta * periodMs) / limit);
}
