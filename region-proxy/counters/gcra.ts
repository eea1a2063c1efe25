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
 *
 * A TAT is usage in time: `units used = (tat - now) * limit / period`, so it means nothing without the
 * limit it was written under. Both limiters store that limit beside it and every function here takes it
 * (`tatLimit`): when a new snapshot changes the limit, the outstanding usage is first rescaled so the
 * units used stay the same (2 of 2 used, raised to 100: 98 left, not 0; 20 of 100, lowered to 2: 20
 * used, not 0.4), and from then on it drains at the new limit. Absent (a TAT an older proxy wrote), it
 * is taken to be the limit asked.
 */

/**
 * Float slack (ms) for a level of `limit` per `periodMs`, so that accumulated period/limit fractions never
 * refuse an exactly-fitting request. A TAT is an epoch-millisecond float: below 2^42 ms (the year 2109)
 * its spacing is at most 2^-11 ms, so each charge rounds it by up to 2^-12 ms, and a full bucket is up
 * to `limit` charges: the TAT may drift limit × 2^-12 ms from exact. The slack is twice that, but at
 * most a quarter of a millisecond (so retry-after and reset stay the exact waits, rounded up) and a
 * quarter of one unit's interval (period / limit: no unit is admitted whole early). So a burst of
 * exactly the limit in one millisecond is admitted whole up to a limit of about 1,000 (2,000 before
 * 2^41 ms, the year 2039); above that it may come up one short. A fixed 1e-6 ms (the former slack) is below one spacing: such a burst admitted rpm − 1
 * for 168 of the rpm values 1..400 (a fixed 1e-3 ms still did from rpm 17). The Lua script in
 * redis-rate-limiter.ts computes the same values.
 */
export function gcraSlack(limit: number, periodMs: number): number {
  return Math.min(limit * GCRA_TAT_SPACING, 0.25, periodMs / (4 * limit));
}

/** 2^-11 ms: the spacing of a float epoch-ms time below 2^42 ms (a power of two: the Lua twin multiplies to the same value). */
const GCRA_TAT_SPACING = 2 ** -11;

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
 * The TAT `tat`, written under `tatLimit`, re-expressed under `limit` with the same units outstanding:
 * now + (tat - now) * tatLimit / limit. Unchanged when nothing is outstanding, when `tatLimit` is
 * unknown (undefined) or equal, or when either limit is 0 (a zero limit refuses without charging, so
 * the usage is kept in its old units until a real limit comes back).
 */
export function gcraRescale(tat: number | undefined, nowMs: number, tatLimit: number | undefined, limit: number): number | undefined {
  if (tat === undefined || tat <= nowMs || tatLimit === undefined || tatLimit === limit || !(tatLimit > 0) || limit <= 0) return tat;
  return nowMs + ((tat - nowMs) * tatLimit) / limit;
}

/**
 * Charges `cost` against a level whose stored TAT is `tat` (undefined = never used), written under
 * `tatLimit` (undefined = under `limit`). A limit of 0 refuses everything, with a retry of one period
 * (which no wait satisfies: buildVerdict marks such a refusal `forGood`, answered without a retry).
 */
export function gcraStep(tat: number | undefined, nowMs: number, limit: number, cost: number, periodMs: number, tatLimit?: number): GcraStep {
  const base = Math.max(gcraRescale(tat, nowMs, tatLimit, limit) ?? nowMs, nowMs);
  if (limit <= 0) return { allowed: false, newTat: base, retryAfterMs: periodMs };
  const newTat = base + (cost * periodMs) / limit;
  const allowAt = newTat - periodMs;
  const slack = gcraSlack(limit, periodMs);
  if (allowAt <= nowMs + slack) return { allowed: true, newTat, retryAfterMs: 0 };
  return { allowed: false, newTat: base, retryAfterMs: Math.min(GCRA_MAX_WAIT_MS, Math.ceil(allowAt - nowMs - slack)) };
}

/** Header values for a level whose TAT is `tat` (written under `tatLimit`): what is left now and when it is full again. */
export function gcraWindow(tat: number | undefined, nowMs: number, limit: number, periodMs: number, tatLimit?: number): { remaining: number; resetMs: number } {
  const base = Math.max(gcraRescale(tat, nowMs, tatLimit, limit) ?? nowMs, nowMs);
  if (limit <= 0) return { remaining: 0, resetMs: periodMs };
  const used = ((base - nowMs) * limit) / periodMs;
  const slack = gcraSlack(limit, periodMs);
  const remaining = Math.min(limit, Math.max(0, Math.floor(limit - used + (slack * limit) / periodMs)));
  return { remaining, resetMs: Math.min(GCRA_MAX_WAIT_MS, Math.max(0, Math.ceil(base - nowMs - slack))) };
}

/**
 * TAT after correcting a token charge by `delta` (negative refunds, never beyond a full bucket), under
 * `limit`, of a TAT written under `tatLimit`. A limit of 0 leaves the TAT as it is (the caller writes nothing).
 */
export function gcraAdjust(tat: number | undefined, nowMs: number, limit: number, delta: number, periodMs: number, tatLimit?: number): number {
  const base = Math.max(gcraRescale(tat, nowMs, tatLimit, limit) ?? nowMs, nowMs);
  if (limit <= 0) return base;
  return Math.max(nowMs, base + (delta * periodMs) / limit);
}
