/**
 * In-process RateLimiter: the same GCRA as the Redis limiter, for a single replica without Redis and as
 * the degraded-mode fallback. Atomic because each call runs to completion without awaiting.
 */
import { gcraAdjust, gcraStep, gcraWindow } from "./gcra.ts";
import { assertTokenCount, buildVerdict, limitBuckets, type BucketOutcome } from "./limit-buckets.ts";
import { LIMIT_PERIOD_MS, type LimitCheck, type LimitVerdict, type RateLimiter } from "./rate-limit-types.ts";

export interface MemoryRateLimiterOptions {
  /** Drop idle levels once the table holds this many entries (default 10 000). */
  sweepAbove?: number;
}

/** Creates an in-process limiter; each instance has its own counters. */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimiter {
  const tats = new Map<string, number>();
  const sweepAbove = options.sweepAbove ?? 10_000;
  const keyOf = (scope: string, kind: string) => `${kind}\u0000${scope}`;

  /** A TAT at or before now means a full bucket, so the entry carries no information. */
  function sweep(nowMs: number): void {
    if (tats.size <= sweepAbove) return;
    for (const [key, tat] of tats) if (tat <= nowMs) tats.delete(key);
  }

  return {
    async acquire(checks: LimitCheck[], estimatedTokens: number, nowMs = Date.now()): Promise<LimitVerdict> {
      assertTokenCount("estimatedTokens", estimatedTokens, false);
      const buckets = limitBuckets(checks);
      const steps = buckets.map((b) =>
        gcraStep(tats.get(keyOf(b.scope, b.kind)), nowMs, b.limit, b.kind === "requests" ? 1 : estimatedTokens, LIMIT_PERIOD_MS),
      );
      const allowed = steps.every((s) => s.allowed);
      if (allowed) buckets.forEach((b, i) => tats.set(keyOf(b.scope, b.kind), steps[i]!.newTat));
      const outcomes: BucketOutcome[] = buckets.map((b, i) => ({
        retryAfterMs: allowed ? 0 : steps[i]!.retryAfterMs,
        ...gcraWindow(tats.get(keyOf(b.scope, b.kind)), nowMs, b.limit, LIMIT_PERIOD_MS),
      }));
      sweep(nowMs);
      return buildVerdict(buckets, outcomes);
    },

    async adjustTokens(checks: LimitCheck[], deltaTokens: number, nowMs = Date.now()): Promise<void> {
      assertTokenCount("deltaTokens", deltaTokens, true);
      if (deltaTokens === 0) return;
      for (const b of limitBuckets(checks)) {
        if (b.kind !== "tokens") continue;
        const key = keyOf(b.scope, b.kind);
        tats.set(key, gcraAdjust(tats.get(key), nowMs, b.limit, deltaTokens, LIMIT_PERIOD_MS));
      }
    },
  };
}
