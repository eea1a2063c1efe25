/**
 * In-process RateLimiter: the same GCRA as the Redis limiter, for a single replica without Redis and as
 * the degraded-mode fallback. Atomic because each call runs to completion without awaiting.
 */
import { gcraAdjust, gcraRescale, gcraStep, gcraWindow, type GcraStep } from "./gcra.ts";
import { assertTokenCount, buildVerdict, limitBuckets, type BucketOutcome } from "./limit-buckets.ts";
import { LIMIT_PERIOD_MS, type LimitCheck, type LimitVerdict, type RateLimiter } from "./rate-limit-types.ts";

export interface MemoryRateLimiterOptions {
  /** Drop idle levels once the table holds this many entries (default 10 000). */
  sweepAbove?: number;
  /** Told about every sweep (tests): entries looked at, entries dropped. */
  onSweep?: (sweep: { visited: number; dropped: number }) => void;
}

/** One level's TAT and the limit it was written under (see gcra.ts: a TAT means nothing without it). */
interface Level {
  tat: number;
  limit: number;
}

/** Creates an in-process limiter; each instance has its own counters. */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimiter {
  const levels = new Map<string, Level>();
  const sweepAbove = options.sweepAbove ?? 10_000;
  /** The size that triggers the next sweep: after one, twice what it left (never below sweepAbove). */
  let sweepAt = sweepAbove;
  const keyOf = (scope: string, kind: string) => `${kind}\u0000${scope}`;

  /**
   * A TAT at or before now means a full bucket, so the entry carries no information. Entries still
   * live after a sweep are not looked at again until the table has doubled: a sweep costs O(table),
   * so this keeps it O(1) per call on average. (Sweeping whenever the table was over sweepAbove made
   * every request scan it once more than 10,000 levels were live: 141 us per request, measured.)
   */
  function sweep(nowMs: number): void {
    if (levels.size <= sweepAt) return;
    const visited = levels.size;
    for (const [key, level] of levels) if (level.tat <= nowMs) levels.delete(key);
    sweepAt = Math.max(sweepAbove, levels.size * 2);
    options.onSweep?.({ visited, dropped: visited - levels.size });
  }

  /**
   * A full bucket is not stored, as the Redis script DELs its key: kept as `tat = now`, it read as
   * used once a clock stepped back (another replica's, or NTP), where Redis's answered full.
   * An existing level is updated in place, so a charge allocates nothing.
   */
  function store(key: string, tat: number, limit: number, nowMs: number): void {
    if (tat <= nowMs) {
      levels.delete(key);
      return;
    }
    const level = levels.get(key);
    if (level) {
      level.tat = tat;
      level.limit = limit;
    } else levels.set(key, { tat, limit });
  }

  return {
    async acquire(checks: LimitCheck[], estimatedTokens: number, nowMs = Date.now()): Promise<LimitVerdict> {
      assertTokenCount("estimatedTokens", estimatedTokens, false);
      const buckets = limitBuckets(checks);
      const keys: string[] = [];
      const steps: GcraStep[] = [];
      let allowed = true;
      for (const b of buckets) {
        const key = keyOf(b.scope, b.kind);
        const level = levels.get(key);
        const step = gcraStep(level?.tat, nowMs, b.limit, b.kind === "requests" ? 1 : estimatedTokens, LIMIT_PERIOD_MS, level?.limit);
        keys.push(key);
        steps.push(step);
        allowed &&= step.allowed;
      }
      // Charged only when every level allows. A refusal still keeps a level whose limit changed in the
      // new limit's units (as it would be after a charge), so from now on it drains at the new rate.
      if (allowed) for (let i = 0; i < buckets.length; i++) store(keys[i]!, steps[i]!.newTat, buckets[i]!.limit, nowMs);
      else {
        for (let i = 0; i < buckets.length; i++) {
          const { limit } = buckets[i]!;
          const level = levels.get(keys[i]!);
          if (limit > 0 && level !== undefined && level.limit !== limit) store(keys[i]!, gcraRescale(level.tat, nowMs, level.limit, limit)!, limit, nowMs);
        }
      }
      const outcomes: BucketOutcome[] = [];
      for (let i = 0; i < buckets.length; i++) {
        const level = levels.get(keys[i]!);
        const window = gcraWindow(level?.tat, nowMs, buckets[i]!.limit, LIMIT_PERIOD_MS, level?.limit);
        outcomes.push({ retryAfterMs: allowed ? 0 : steps[i]!.retryAfterMs, remaining: window.remaining, resetMs: window.resetMs });
      }
      sweep(nowMs);
      return buildVerdict(buckets, outcomes);
    },

    async adjustTokens(checks: LimitCheck[], deltaTokens: number, nowMs = Date.now()): Promise<void> {
      assertTokenCount("deltaTokens", deltaTokens, true);
      if (deltaTokens === 0) return;
      for (const b of limitBuckets(checks)) {
        // A zero limit has no units to correct in: the level is left as it is (as the Redis script does).
        if (b.kind !== "tokens" || b.limit <= 0) continue;
        const key = keyOf(b.scope, b.kind);
        const level = levels.get(key);
        store(key, gcraAdjust(level?.tat, nowMs, b.limit, deltaTokens, LIMIT_PERIOD_MS, level?.limit), b.limit, nowMs);
      }
    },
  };
}
