/**
 * Whether the walk waits out a retry's wait (a vendor's Retry-After, or its own backoff) and calls the
 * same deployment again: only when a call that could still answer fits in the request's time left
 * after the wait. A retry left with a few hundred ms is cut by the deadline: the caller gets a 504 in
 * place of the vendor's 429 and its Retry-After, the breaker hears a failure from a deployment that
 * only paced the gateway, and the cut call is charged its prompt. Skipped, the caller is told the
 * vendor's wait instead.
 *
 * @example retryFits(1_800, 1_990, { totalMs: 2_000, firstByteMs: null }) // false: 500 ms more is needed
 */

/**
 * The share of its deployment's total a non-streamed call must still have for its retry to be worth
 * making. Its answer's headers come only once the whole answer is written, and nothing says how long
 * that takes below the total the operator gave the deployment (the bound for one whole answer); a
 * call with less than a quarter of it would be cut more often than not, at its prompt's price.
 */
export const MIN_UNSTREAMED_CALL_SHARE = 0.25;

/** What one call to a deployment may take: its total and, for a stream, its wait for the first byte (null: not streamed). */
export interface CallBudget {
  totalMs: number;
  firstByteMs: number | null;
}

/**
 * A stream's wait for its vendor's first byte at `timeouts` (the deployment's own, else the proxy's
 * default): Bun's fetch reports no "connected" event, so `connectMs` is part of it.
 */
export function firstByteBudgetMs(timeouts: { connectMs?: number; firstByteMs?: number } | undefined, defaultFirstByteMs: number): number {
  return (timeouts?.connectMs ?? 0) + (timeouts?.firstByteMs ?? defaultFirstByteMs);
}

/**
 * The least time a call must have to be worth making: a stream, its first-byte budget (it shows it is
 * answering within that, and may then use what is left); a non-streamed call, MIN_UNSTREAMED_CALL_SHARE
 * of its total. Never more than the total.
 */
export function usefulCallMs(call: CallBudget): number {
  return Math.min(call.totalMs, call.firstByteMs ?? call.totalMs * MIN_UNSTREAMED_CALL_SHARE);
}

/**
 * Whether to wait `waitMs` and retry with `leftMs` of the request's time left: the wait is shorter than
 * the deployment's own total (a Retry-After longer than any call may take is told to the caller, not
 * slept through), and a useful call (usefulCallMs) still fits after it.
 */
export function retryFits(waitMs: number, leftMs: number, call: CallBudget): boolean {
  return waitMs < call.totalMs && waitMs + usefulCallMs(call) <= leftMs;
}
