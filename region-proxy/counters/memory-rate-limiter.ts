/**
 * In-process RateLimiter: the same GCRA as the Redis limiter, for a single replica without Redis and as
 * the degraded-mode fallback (there at the replica's share of every limit, with what Redis admitted
 * through this replica charged in as it happens: `charge`, which takes a level at most to a full bucket).
 * Atomic because each call runs to completion without awaiting; it answers at once, with no promise.
 */
import { gcraAdjust, gcraRescale, gcraStep, gcraWindow, type GcraStep } from "./gcra.ts";
import { assertLimit, assertTokenCount, buildVerdict, limitBuckets, type BucketOutcome, type LimitBucket } from "./limit-buckets.ts";
import type { MaybeAsync } from "./maybe-async.ts";
import { LIMIT_PERIOD_MS, type LimitCheck, type LimitVerdict, type RateLimiter } from "./rate-limit-types.ts";
import { shareOf } from "./replica-share.ts";

export interface MemoryRateLimiterOptions {
  /** Drop idle levels once the table holds this many entries (default 10 000). */
  sweepAbove?: number;
  /** Told about every sweep (tests): entries looked at, entries dropped. */
  onSweep?: (sweep: { visited: number; dropped: number }) => void;
  /** Enforce this share of every limit (shareOf; default 1, the limits as asked): one replica's part of a region's limits. */
  share?: number;
}

export interface MemoryRateLimiter extends RateLimiter {
  /**
   * Adds `requests` and `tokens` (negative: a refund, never past a full bucket) at every level without
   * asking whether they fit: use admitted elsewhere that this limiter's answers must count (the
   * resilient counters mirror here every request Redis admitted, and its settlement). A charge takes a
   * level at most one period ahead of now (the bucket used up, as far as Redis's own goes by admitting)
   * and never lowers one already further (this limiter's own debt, from adjustTokens): use above the
   * share for an hour leaves a minute to drain, not the hour. Synchronous; a level already stored is
   * updated in place, so a charge allocates nothing.
   */
  charge(checks: LimitCheck[], requests: number, tokens: number, nowMs?: number): void;
}

/** One level's TAT and the limit it was written under (see gcra.ts: a TAT means nothing without it). */
interface Level {
  tat: number;
  limit: number;
}

/** Creates an in-process limiter; each instance has its own counters. */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): MemoryRateLimiter {
  // One table per kind, keyed by scope: no key string is built per call.
  const tables: Record<LimitBucket["kind"], Map<string, Level>> = { requests: new Map(), tokens: new Map() };
  const size = () => tables.requests.size + tables.tokens.size;
  const share = options.share ?? 1;
  const scaled = (limit: number) => (share === 1 ? limit : (shareOf(limit, share) as number));
  const sweepAbove = options.sweepAbove ?? 10_000;
  /** The size that triggers the next sweep: after one, twice what it left (never below sweepAbove). */
  let sweepAt = sweepAbove;

  /**
   * A TAT at or before now means a full bucket, so the entry carries no information. Entries still
   * live after a sweep are not looked at again until the table has doubled: a sweep costs O(table),
   * so this keeps it O(1) per call on average. (Sweeping whenever the table was over sweepAbove made
   * every request scan it once more than 10,000 levels were live: 141 us per request, measured.)
   */
  function sweep(nowMs: number): void {
    const visited = size();
    if (visited <= sweepAt) return;
    for (const table of [tables.requests, tables.tokens]) for (const [scope, level] of table) if (level.tat <= nowMs) table.delete(scope);
    sweepAt = Math.max(sweepAbove, size() * 2);
    options.onSweep?.({ visited, dropped: visited - size() });
  }

  /**
   * A full bucket is not stored, as the Redis script DELs its key: kept as `tat = now`, it read as
   * used once a clock stepped back (another replica's, or NTP), where Redis's answered full.
   * An existing level is updated in place, so a charge allocates nothing.
   */
  function store(table: Map<string, Level>, scope: string, tat: number, limit: number, nowMs: number, level = table.get(scope)): void {
    if (tat <= nowMs) {
      if (level) table.delete(scope);
      return;
    }
    if (level) {
      level.tat = tat;
      level.limit = limit;
    } else table.set(scope, { tat, limit });
  }

  /**
   * Adds `units` at one level (limit as asked, before the share); nothing without a positive limit.
   * `capped` (charge): the TAT goes no further than one period ahead, or than it already was.
   */
  function chargeLevel(table: Map<string, Level>, scope: string, asked: number | null | undefined, units: number, nowMs: number, capped: boolean): void {
    if (asked === null || asked === undefined) return;
    const limit = scaled(asked);
    // A zero limit has no units to charge in: the level is left as it is (as the Redis script does).
    if (limit <= 0) return;
    const level = table.get(scope);
    let tat = gcraAdjust(level?.tat, nowMs, limit, units, LIMIT_PERIOD_MS, level?.limit);
    if (capped && units > 0) {
      const before = gcraAdjust(level?.tat, nowMs, limit, 0, LIMIT_PERIOD_MS, level?.limit);
      tat = Math.min(tat, Math.max(nowMs + LIMIT_PERIOD_MS, before));
    }
    store(table, scope, tat, limit, nowMs, level);
  }

  /** Adds at every level, checked first (charge, and adjustTokens uncapped). */
  function add(checks: LimitCheck[], requests: number, tokens: number, nowMs: number, capped: boolean): void {
    assertTokenCount("requests", requests, true);
    assertTokenCount("tokens", tokens, true);
    // Every limit checked before any level is written, as limitBuckets does for the other calls.
    for (const check of checks) {
      assertLimit(check.scope, "requests", check.rpm);
      assertLimit(check.scope, "tokens", check.tpm);
    }
    for (const check of checks) {
      if (requests !== 0) chargeLevel(tables.requests, check.scope, check.rpm, requests, nowMs, capped);
      if (tokens !== 0) chargeLevel(tables.tokens, check.scope, check.tpm, tokens, nowMs, capped);
    }
    sweep(nowMs);
  }

  function charge(checks: LimitCheck[], requests: number, tokens: number, nowMs = Date.now()): void {
    add(checks, requests, tokens, nowMs, true);
  }

  /**
   * A checks list's buckets at this limiter's share. At the full share they are kept per list: a plan's
   * list is shared by every request of its key and never changed (limit-plan.ts), so a request builds none.
   */
  const keptBuckets = new WeakMap<LimitCheck[], LimitBucket[]>();
  function bucketsOf(checks: LimitCheck[]): LimitBucket[] {
    if (share !== 1) {
      const buckets = limitBuckets(checks);
      for (const b of buckets) b.limit = scaled(b.limit);
      return buckets;
    }
    let buckets = keptBuckets.get(checks);
    if (!buckets) keptBuckets.set(checks, (buckets = limitBuckets(checks)));
    return buckets;
  }

  /** acquire's work, answered at once (the limiter's contract turns a throw into a rejected promise). */
  function acquireNow(checks: LimitCheck[], estimatedTokens: number, nowMs: number): LimitVerdict {
    assertTokenCount("estimatedTokens", estimatedTokens, false);
    const buckets = bucketsOf(checks);
    const steps: GcraStep[] = [];
    let allowed = true;
    for (const b of buckets) {
      const level = tables[b.kind].get(b.scope);
      const step = gcraStep(level?.tat, nowMs, b.limit, b.kind === "requests" ? 1 : estimatedTokens, LIMIT_PERIOD_MS, level?.limit);
      steps.push(step);
      allowed &&= step.allowed;
    }
    // Charged only when every level allows. A refusal still keeps a level whose limit changed in the
    // new limit's units (as it would be after a charge), so from now on it drains at the new rate.
    if (allowed) for (let i = 0; i < buckets.length; i++) store(tables[buckets[i]!.kind], buckets[i]!.scope, steps[i]!.newTat, buckets[i]!.limit, nowMs);
    else {
      for (const { kind, scope, limit } of buckets) {
        const level = tables[kind].get(scope);
        if (limit > 0 && level !== undefined && level.limit !== limit) store(tables[kind], scope, gcraRescale(level.tat, nowMs, level.limit, limit)!, limit, nowMs);
      }
    }
    const outcomes: BucketOutcome[] = [];
    for (let i = 0; i < buckets.length; i++) {
      const level = tables[buckets[i]!.kind].get(buckets[i]!.scope);
      const window = gcraWindow(level?.tat, nowMs, buckets[i]!.limit, LIMIT_PERIOD_MS, level?.limit);
      outcomes.push({ retryAfterMs: allowed ? 0 : steps[i]!.retryAfterMs, remaining: window.remaining, resetMs: window.resetMs });
    }
    sweep(nowMs);
    return buildVerdict(buckets, outcomes, estimatedTokens);
  }

  // Both answer at once, with no promise (maybe-async.ts); a bad argument is a rejected promise, as from Redis.
  return {
    acquire(checks: LimitCheck[], estimatedTokens: number, nowMs = Date.now()): MaybeAsync<LimitVerdict> {
      try {
        return acquireNow(checks, estimatedTokens, nowMs);
      } catch (error) {
        return Promise.reject(error);
      }
    },

    adjustTokens(checks: LimitCheck[], deltaTokens: number, nowMs = Date.now()): MaybeAsync<void> {
      try {
        assertTokenCount("deltaTokens", deltaTokens, true);
        if (deltaTokens === 0) return;
        // Uncapped: this limiter's own admission ran over its estimate, a debt that drains (see gcra.ts).
        add(checks, 0, deltaTokens, nowMs, false);
      } catch (error) {
        return Promise.reject(error);
      }
    },

    charge,
  };
}
