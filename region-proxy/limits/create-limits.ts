/**
 * Builds the limits step from configuration: with `REDIS_URL`, the region's shared counters in Redis
 * (keys under `gw:<region>:`), falling back to this replica's share of every limit in memory while Redis
 * is unreachable; without it, in-process counters (a single dev instance needs no Redis). With `leases`,
 * budgets the control plane manages are enforced as this region's lease of them (region-proxy/leases/).
 */
import { CONNECT_WAIT_MS, connected, createCountersRedis } from "../counters/counters-redis.ts";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { createMemoryRateLimiter } from "../counters/memory-rate-limiter.ts";
import { createResilientCounters } from "../counters/resilient-counters.ts";
import { startLeaseClient, type LeaseClient, type LeaseLedger } from "../leases/lease-client.ts";
import { createLeasedBudgets } from "../leases/leased-budgets.ts";
import type { LeaseStore } from "../leases/lease-store.ts";
import { createRedisLeaseStore } from "../leases/redis-lease-store.ts";
import { createLimitEnforcer, type EnforcerBudgets, type LimitEnforcer } from "./enforce-limits.ts";
import { shownUrl } from "../../shared/config/shown-url.ts";

export interface LimitsConfig {
  region: string;
  /** Unset = in-process counters. */
  redisUrl?: string;
  /** Fraction of every limit this replica enforces alone while Redis is down (1 / replicas; default 1). */
  replicaShare?: number;
  /** Overrides the key prefix (tests); default `gw:<region>:`. */
  prefix?: string;
  log?: (line: string) => void;
  /** How long start-up waits for Redis (default 2 s). */
  connectWaitMs?: number;
  /** A Redis call slower than this counts as failed and flips the replica to degraded (default 250 ms; see COUNTERS_TIMEOUT_MS). */
  timeoutMs?: number;
  /**
   * Global budgets: every budget level the control plane manages is enforced as this region's lease of
   * it (region-proxy/leases/). Unset: each region enforces the snapshot's caps on its own spend alone.
   */
  leases?: LimitsLeaseConfig;
}

export interface LimitsLeaseConfig {
  controlPlaneUrl: string;
  regionToken: string;
  proxyId: string;
  /** Re-ask period for levels running low (default 2 s). */
  refreshMs?: number;
  /** The longest a reservation waits for its lease to grow or for other reservations to settle (default 3 s). */
  maxWaitMs?: number;
  /** Where a waiting reservation holds the end of its wait (a graceful stop's cut: InFlight.limitWaits; leased-budgets.ts). */
  ends?: Set<() => void>;
}

/**
 * Why 250 ms and not the counters' own 50 ms: a burst of a few hundred concurrent requests queues that
 * many Lua calls on one connection, and on a busy host the last of them answer after 50 ms. Each such
 * timeout flips a healthy replica to degraded, where it enforces only its share of every limit. A hung
 * Redis costs at most this much, and only for the requests in flight when it hangs: the first timeout
 * turns the replica degraded and later requests answer from memory at once.
 */
export const DEFAULT_COUNTERS_TIMEOUT_MS = 250;

export interface RunningLimits {
  enforcer: LimitEnforcer;
  /** True while the shared counters are unreachable: report it on /ready and /health. */
  degraded(): boolean;
  /** Whether counters are shared through Redis at all. */
  shared: boolean;
  /** Stops the recovery ping and closes the Redis client this module opened. */
  close(): Promise<void>;
  /** The lease client when `leases` was configured. */
  leases?: LeaseClient;
}

/** Wraps a region ledger in leases when configured; returns the budgets to enforce and the client. */
function withLeases(config: LimitsConfig, ledger: EnforcerBudgets & LeaseLedger, store?: LeaseStore): { budgets: EnforcerBudgets; leases?: LeaseClient } {
  if (!config.leases) return { budgets: ledger };
  const { maxWaitMs, ends, ...lease } = config.leases;
  const leases = startLeaseClient({ ...lease, ledger, store, log: config.log });
  return { budgets: createLeasedBudgets(ledger, leases, { maxWaitMs, ends }), leases };
}

/** Creates the enforcer and what /ready needs to know about it; with Redis, waits up to 2 s for it. */
export async function createLimits(config: LimitsConfig): Promise<RunningLimits> {
  if (!config.redisUrl) {
    const { budgets, leases } = withLeases(config, createMemoryBudgetLedger());
    const enforcer = createLimitEnforcer({ limiter: createMemoryRateLimiter(), budgets, degraded: () => false });
    return { enforcer, leases, degraded: () => false, shared: false, close: async () => leases?.stop() };
  }
  const timeoutMs = config.timeoutMs ?? DEFAULT_COUNTERS_TIMEOUT_MS;
  const redis = createCountersRedis(config.redisUrl, { commandTimeoutMs: timeoutMs });
  if (!(await connected(redis, config.connectWaitMs ?? CONNECT_WAIT_MS))) {
    config.log?.(`limits: Redis at ${shownUrl(config.redisUrl)} not reachable yet; starting on in-process counters until it answers`);
  }
  const prefix = config.prefix ?? `gw:${config.region}:`;
  const counters = createResilientCounters({
    redis,
    prefix,
    replicaShare: config.replicaShare ?? 1,
    timeoutMs,
    log: config.log,
    onStateChange: (degraded, cause) =>
      config.log?.(degraded ? `limits: Redis unreachable, enforcing this replica's share in memory (${String((cause as Error | undefined)?.message ?? cause)})` : "limits: Redis is back; counters shared again"),
  });
  // Leases are shared by the region's replicas next to its counters; repairs never run on fallback reads.
  const ledger = { ...counters.budgets, degraded: counters.degraded };
  const { budgets, leases } = withLeases(config, ledger, createRedisLeaseStore(redis, prefix));
  const enforcer = createLimitEnforcer({ limiter: counters.limiter, budgets, degraded: counters.degraded });
  return {
    enforcer,
    leases,
    degraded: counters.degraded,
    shared: true,
    async close() {
      await leases?.stop();
      counters.close();
      redis.disconnect();
    },
  };
}
