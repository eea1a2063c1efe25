/**
 * Counters that keep the proxy serving when Redis fails. Every call goes to Redis with a short timeout;
 * on the first failure the counters turn degraded and answer from in-process counters where each
 * replica enforces `replicaShare` (1 / replica count) of every limit, so the region as a whole stays
 * near its limits. A ping loop brings them back to Redis as soon as it answers.
 *
 * Rate limits: every request Redis admits is also charged to the in-process limiter, and so is its
 * token correction, as the breaker tells its fallback every outcome (synchronous; a level already held is
 * updated in place). When Redis fails, the fallback starts from this replica's own use of the minute,
 * so a blip of any length hands out no fresh allowance: a replica that used less than its share
 * through Redis may use the rest, one that used more is refused until its use drains at its share's rate.
 * The mirror counts at most a full bucket (one period ahead, as Redis's bucket never goes further by
 * admitting), so a replica that served above its share for hours (uneven balancing) is refused for at
 * most a minute, not for its whole excess.
 * A token correction (settle's actual − estimate, a refund) goes to the side that admitted the request,
 * told by the verdict passed to adjustTokens: admitted in memory, it is corrected in memory only, even
 * once Redis is back (Redis never charged it: a refund there would free tokens of the region's shared
 * bucket that nobody used); admitted by Redis, in Redis and in its mirror. A Redis correction that
 * finds Redis failing is dropped there (the mirror still has it), not queued: TPM is a per-minute rate,
 * and a correction replayed after the outage would land in a bucket refilled since, crediting or
 * charging tokens of a minute gone. Dropped, a refund leaves Redis charged the estimate until the
 * bucket drains (within the minute, erring toward refusing) and a debt goes uncounted there.
 *
 * Budgets while degraded: `reserve` fails closed by default (refused with `unavailable: true`, which is
 * not an exhausted budget) or, with `{ failOpen: true }`, admits with a local reservation, whose settle
 * is also sent to Redis as spend. Settles (local ones included), releases and repairs meant for Redis
 * are queued (bounded) and replayed on recovery; they are idempotent by reservation id and version,
 * so a replay after a timed-out-but-applied call, or a settle repeated, counts once. A queued settle
 * carries when it was made, and adds no spend to a level some replica repaired from the ledger since
 * (its event, shipped meanwhile, may be in that ledger: counted again, the region would refuse early
 * for the rest of the period); one not yet in that ledger is not counted until the ledger passes the
 * counter again, a bounded under-count (redis-budget-ledger.ts createRedisBudgetLedger, lease-client.ts).
 * A command that timed out may still have been applied by Redis: the price is a small over-count.
 * Not so for a reserve: its id is made here before it is sent, and one that fails (a timeout, a lost
 * connection) has a release of that id queued as it degrades, so a reserve Redis ran after the
 * request was answered without it gives its hold back on recovery instead of keeping a worst case
 * for the reservation's lifetime (a reserve that never ran is released as nothing).
 *
 * An error Redis answers about a key (a key of another type under a tenant's name: redis-key-error.ts)
 * fails that call only, logged with the key, and leaves the replica on Redis: a reserve touching it is
 * answered as a degraded one would be (refused `unavailable` for that level, or admitted locally with
 * `failOpen`), a rate check from the in-process limiter, a settle or release finishes every other
 * level (redis-budget-ledger.ts) and is not queued (Redis would refuse it again), a status read throws.
 */
import type { Cluster, Redis } from "ioredis";
import { assertMicros, newReservationId } from "./budget-levels.ts";
import type { BudgetCheck, BudgetLedger, BudgetLedgerOptions, Reservation, ReserveOptions, ReserveResult } from "./budget-types.ts";
import { createMemoryBudgetLedger } from "./memory-budget-ledger.ts";
import { assertTokenCount } from "./limit-buckets.ts";
import { createMemoryRateLimiter } from "./memory-rate-limiter.ts";
import type { LimitCheck, LimitVerdict, RateLimiter } from "./rate-limit-types.ts";
import { createRedisBudgetLedger } from "./redis-budget-ledger.ts";
import { createRedisRateLimiter } from "./redis-rate-limiter.ts";
import { isKeyError, keyErrorLog, RedisKeyError } from "./redis-key-error.ts";
import { createRedisRecovery, withTimeout as withTimeoutOf } from "./redis-recovery.ts";

export interface ResilientCountersOptions {
  /** Preferably from createCountersRedis() (no offline queue, command timeout). */
  redis: Redis | Cluster;
  prefix?: string;
  /** Fraction of every limit one replica may use while degraded (default 1). */
  replicaShare?: number;
  /** Redis calls slower than this count as failed (default 50 ms). */
  timeoutMs?: number;
  /** How often a degraded replica pings Redis (default 1 s). */
  pingIntervalMs?: number;
  /** Queued settles/releases/repairs kept for replay (default 10 000; the oldest are dropped). */
  maxPending?: number;
  budgets?: BudgetLedgerOptions;
  /**
   * Start on the in-process counters, pinging until Redis answers. Default: when the client is not
   * connected (create-limits.ts waits for it, bounded, before creating the counters): a client with no
   * offline queue fails every command until then, and /health must report the outage before a request
   * happens to touch a counter. No state change is reported for the start (the caller logs it).
   */
  startDegraded?: boolean;
  /** Called on every switch, for the log and metrics. */
  onStateChange?: (degraded: boolean, cause?: unknown) => void;
  /** Where a call Redis refused over a key is told (about once a minute per call). */
  log?: (line: string) => void;
}

export interface ResilientBudgetLedger extends BudgetLedger {
  reserve(checks: BudgetCheck[], micros: number, options?: ReserveOptions): Promise<ReserveResult>;
}

export interface ResilientCounters {
  limiter: RateLimiter;
  budgets: ResilientBudgetLedger;
  degraded(): boolean;
  /** Stops the ping loop (does not close the Redis client, which the caller owns). */
  close(): void;
}

/** A budget call as the log names it: "budget settle on ten:a day:2026-11-25, org:b day:2026-11-25". */
function budgetCall(op: string, checks: BudgetCheck[]): string {
  return `budget ${op} on ${checks.map((c) => `${c.scope} ${c.period}`).join(", ")}`;
}

/** A rate-limit call as the log names it. */
function rateCall(op: string, checks: LimitCheck[]): string {
  return `rate-limit ${op} on ${checks.map((c) => c.scope).join(", ")}`;
}

/** An ioredis client (single node or cluster) whose connection is not up; false for anything without a status. */
function notConnected(redis: Redis | Cluster): boolean {
  const status = (redis as { status?: unknown }).status;
  return typeof status === "string" && status !== "ready";
}

/** Wraps the Redis counters with an in-process fallback; see the file comment for the rules. */
export function createResilientCounters(options: ResilientCountersOptions): ResilientCounters {
  const { redis } = options;
  const share = options.replicaShare ?? 1;
  const timeoutMs = options.timeoutMs ?? 50;
  const pingIntervalMs = options.pingIntervalMs ?? 1000;
  const maxPending = options.maxPending ?? 10_000;
  const remote = {
    limiter: createRedisRateLimiter(redis, { prefix: options.prefix }),
    ledger: createRedisBudgetLedger(redis, { ...options.budgets, prefix: options.prefix }),
  };
  const local = { limiter: createMemoryRateLimiter({ share }), ledger: createMemoryBudgetLedger(options.budgets) };
  const localReservations = new WeakSet<Reservation>();
  /** Verdicts of requests the in-process limiter admitted (Redis failing): their corrections stay in memory. */
  const admittedLocally = new WeakSet<LimitVerdict>();
  const pending: Array<() => Promise<void>> = [];
  // Back to Redis once it answers a ping and every queued write is replayed.
  const recovery = createRedisRecovery({
    redis,
    pingIntervalMs,
    pingTimeoutMs: timeoutMs,
    startDegraded: options.startDegraded ?? notConnected(redis),
    beforeRecovered: replayPending,
    onStateChange: options.onStateChange,
  });
  const withTimeout = <T>(work: Promise<T>) => withTimeoutOf(work, timeoutMs, "counters");
  const degrade = (cause: unknown) => recovery.degrade(cause);
  const keyErrors = keyErrorLog(options.log, "limits");

  async function replayPending(): Promise<void> {
    while (pending.length > 0) {
      const write = pending[0]!;
      try {
        await withTimeout(write());
      } catch (error) {
        // Bad input never succeeds, nor does a write Redis refuses over a key: dropped (the latter told).
        if (isKeyError(error)) keyErrors("a queued budget write", error);
        else if (!(error instanceof TypeError)) throw error;
      }
      // A write queued meanwhile into a full queue already dropped this one (the oldest): then the
      // head is the next write, still to replay, and must not be shifted away unsent.
      if (pending[0] === write) pending.shift();
    }
  }

  /**
   * Redis first; on failure degrade and answer locally. Not on a caller's bad input (thrown), nor on an
   * error Redis answered about a key: `onKeyError` answers that call, and the replica stays on Redis.
   */
  async function attempt<T>(viaRedis: () => Promise<T>, locally: () => Promise<T>, onKeyError: (error: unknown) => Promise<T>): Promise<T> {
    if (recovery.degraded()) return locally();
    try {
      return await withTimeout(viaRedis());
    } catch (error) {
      if (error instanceof TypeError) throw error;
      if (isKeyError(error)) return onKeyError(error);
      degrade(error);
      return locally();
    }
  }

  /**
   * A write Redis must see eventually: run it, or queue it for the replay on recovery (`call` names it
   * for the log). `write` is given when it was asked for (epoch ms) if it is the queued one, undefined
   * if sent at once (a settle passes it on as queuedAt; the others ignore it).
   */
  async function eventually(write: (queuedAt: number | undefined) => Promise<void>, call: () => string): Promise<void> {
    const at = Date.now();
    const queue = async () => {
      pending.push(() => write(at));
      if (pending.length > maxPending) pending.shift();
    };
    await attempt(() => write(undefined), queue, async (error) => keyErrors(call(), error));
  }

  /** The in-process answer at this replica's share; an admission is remembered, so its corrections stay in memory. */
  async function acquireLocally(checks: LimitCheck[], estimatedTokens: number, nowMs: number | undefined): Promise<LimitVerdict> {
    const verdict = await local.limiter.acquire(checks, estimatedTokens, nowMs);
    if (verdict.allowed) admittedLocally.add(verdict);
    return verdict;
  }

  const limiter: RateLimiter = {
    async acquire(checks, estimatedTokens, nowMs) {
      if (!recovery.degraded()) {
        try {
          const verdict = await withTimeout(remote.limiter.acquire(checks, estimatedTokens, nowMs));
          // Mirrored once Redis's answer is in (not inside the timeout's race: a late answer after the
          // fallback already charged this request would charge it twice).
          if (verdict.allowed) local.limiter.charge(checks, 1, estimatedTokens, nowMs);
          return verdict;
        } catch (error) {
          if (error instanceof TypeError) throw error;
          if (isKeyError(error)) keyErrors(rateCall("check", checks), error);
          else degrade(error);
        }
      }
      return acquireLocally(checks, estimatedTokens, nowMs);
    },
    async adjustTokens(checks, deltaTokens, nowMs, admitted) {
      // Admitted in memory: corrected there only, debt and all (Redis never charged it, whatever its state now).
      if (admitted !== undefined && admittedLocally.has(admitted)) return local.limiter.adjustTokens(checks, deltaTokens, nowMs);
      // Admitted by Redis (or no verdict to tell by: taken as Redis's): corrected in its mirror, within a
      // full bucket as the mirror's charges are, and in Redis, or dropped there while Redis fails (see
      // the file comment).
      assertTokenCount("deltaTokens", deltaTokens, true);
      if (deltaTokens === 0) return;
      local.limiter.charge(checks, 0, deltaTokens, nowMs);
      if (recovery.degraded()) return;
      try {
        await withTimeout(remote.limiter.adjustTokens(checks, deltaTokens, nowMs));
      } catch (error) {
        if (error instanceof TypeError) throw error;
        if (isKeyError(error)) keyErrors(rateCall("correction", checks), error);
        else degrade(error);
      }
    },
  };

  /** The answer without Redis: refused as unavailable (on `scope`, else the first level), or with `failOpen` admitted locally. */
  async function reserveLocally(checks: BudgetCheck[], micros: number, opts: ReserveOptions | undefined, scope?: string): Promise<ReserveResult> {
    if (!opts?.failOpen) {
      const named = checks.find((c) => c.scope === scope) ?? checks[0];
      return { ok: false, scope: named?.scope ?? "", period: named?.period ?? "", spentMicros: 0, reservedMicros: 0, capMicros: named?.capMicros ?? 0, unavailable: true };
    }
    const result = await local.ledger.reserve(checks.map((c) => ({ ...c, capMicros: Number.MAX_SAFE_INTEGER })), micros, { ttlMs: opts.ttlMs });
    if (result.ok) localReservations.add(result.reservation);
    return result;
  }

  const budgets: ResilientBudgetLedger = {
    // Inline rather than through `attempt`: on the request path, with no object or closure beyond the
    // ledger's own until a failure needs one.
    async reserve(checks, micros, opts) {
      if (recovery.degraded()) return reserveLocally(checks, micros, opts);
      // Made before sending: a reserve whose answer never came may have run, and is released by this id.
      const id = opts?.id ?? newReservationId();
      try {
        return await withTimeout(remote.ledger.reserve(checks, micros, { id, ttlMs: opts?.ttlMs }));
      } catch (error) {
        if (error instanceof TypeError) throw error;
        if (isKeyError(error)) {
          keyErrors(budgetCall("reserve", checks), error);
          return reserveLocally(checks, micros, opts, error instanceof RedisKeyError ? error.scope : undefined);
        }
        degrade(error);
        // Sent and failed: Redis may run it yet (or have run it, the answer lost). Released by its id
        // once Redis is back (queued: this call just degraded).
        const lost: Reservation = { id, checks, micros };
        await eventually(() => remote.ledger.release(lost), () => budgetCall("release of a reserve that failed", checks));
        return reserveLocally(checks, micros, opts);
      }
    },
    async settle(reservation, actualMicros) {
      assertMicros("actualMicros", actualMicros);
      // A local reservation's spend is real spend the region's counter must see, or the cap is
      // available again after recovery. Redis's settle of an id it never reserved adds the spend and
      // keeps the id's finished marker, so a repeated settle or a replay counts once.
      if (localReservations.has(reservation)) await local.ledger.settle(reservation, actualMicros);
      // Queued, it carries when it was made: a level repaired since then takes no spend from it (its
      // event may be in that ledger already: redis-budget-ledger.ts createRedisBudgetLedger).
      await eventually((queuedAt) => remote.ledger.settle(reservation, actualMicros, queuedAt), () => budgetCall("settle", reservation.checks));
    },
    async release(reservation) {
      if (localReservations.has(reservation)) return local.ledger.release(reservation);
      await eventually(() => remote.ledger.release(reservation), () => budgetCall("release", reservation.checks));
    },
    repair: async (scope, period, spentMicros, version, repairedAt = Date.now()) => {
      assertMicros("spentMicros", spentMicros);
      if (!Number.isSafeInteger(version)) throw new TypeError(`invalid version: ${version}`);
      if (!Number.isSafeInteger(repairedAt)) throw new TypeError(`invalid repairedAt: ${repairedAt}`);
      await eventually(() => remote.ledger.repair(scope, period, spentMicros, version, repairedAt), () => `budget repair on ${scope} ${period}`);
    },
    status: (scope, period) =>
      attempt(
        () => remote.ledger.status(scope, period),
        () => local.ledger.status(scope, period),
        async (error) => {
          keyErrors(`budget status of ${scope} ${period}`, error);
          throw error;
        },
      ),
  };

  return {
    limiter,
    budgets,
    degraded: () => recovery.degraded(),
    close: () => recovery.close(),
  };
}
