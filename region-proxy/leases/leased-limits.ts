/**
 * The limits step with global budgets: the region's counters (Redis with an in-process fallback, or in
 * process alone) and a lease client, so every budget the control plane manages is enforced as this
 * region's lease (leased-budgets.ts). Same result shape as limits/create-limits.ts.
 */
import { createCountersRedis } from "../counters/counters-redis.ts";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { createMemoryRateLimiter } from "../counters/memory-rate-limiter.ts";
import { createResilientCounters } from "../counters/resilient-counters.ts";
import { DEFAULT_COUNTERS_TIMEOUT_MS, type RunningLimits } from "../limits/create-limits.ts";
import { createLimitEnforcer } from "../limits/enforce-limits.ts";
import { startLeaseClient, type LeaseClient } from "./lease-client.ts";
import { createLeasedBudgets } from "./leased-budgets.ts";
import { createRedisLeaseStore } from "./redis-lease-store.ts";

export interface LeasedLimitsConfig {
  region: string;
  controlPlaneUrl: string;
  regionToken: string;
  proxyId: string;
  /** Unset = in-process counters and leases. */
  redisUrl?: string;
  /** Key prefix in Redis (default `gw:<region>:`); replicas of a region must share it. */
  prefix?: string;
  replicaShare?: number;
  /** A Redis call slower than this flips the replica to degraded (default limits/'s DEFAULT_COUNTERS_TIMEOUT_MS). */
  countersTimeoutMs?: number;
  /** Lease refresh period (default 2 s) and the longest a reservation waits for a lease (default 3 s). */
  leaseRefreshMs?: number;
  leaseMaxWaitMs?: number;
  log?: (line: string) => void;
}

export interface RunningLeasedLimits extends RunningLimits {
  leases: LeaseClient;
}

async function connected(redis: ReturnType<typeof createCountersRedis>, waitMs: number): Promise<boolean> {
  if (redis.status === "ready") return true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new Promise<boolean>((resolve) => {
    redis.once("ready", () => resolve(true));
    timer = setTimeout(() => resolve(false), waitMs);
  }).finally(() => clearTimeout(timer));
}

/** Builds counters, leases and the enforcer; with Redis, waits up to 2 s for it before serving. */
export async function createLeasedLimits(config: LeasedLimitsConfig): Promise<RunningLeasedLimits> {
  const log = config.log ?? (() => {});
  const leaseOptions = {
    controlPlaneUrl: config.controlPlaneUrl,
    regionToken: config.regionToken,
    proxyId: config.proxyId,
    refreshMs: config.leaseRefreshMs,
    log,
  };
  if (!config.redisUrl) {
    const ledger = createMemoryBudgetLedger();
    const leases = startLeaseClient({ ...leaseOptions, ledger });
    const budgets = createLeasedBudgets(ledger, leases, { maxWaitMs: config.leaseMaxWaitMs });
    const enforcer = createLimitEnforcer({ limiter: createMemoryRateLimiter(), budgets, degraded: () => false });
    return { enforcer, leases, degraded: () => false, shared: false, close: () => leases.stop() };
  }
  const prefix = config.prefix ?? `gw:${config.region}:`;
  const timeoutMs = config.countersTimeoutMs ?? DEFAULT_COUNTERS_TIMEOUT_MS;
  const redis = createCountersRedis(config.redisUrl, { commandTimeoutMs: timeoutMs });
  if (!(await connected(redis, 2000))) log("limits: Redis not reachable yet; starting on in-process counters until it answers");
  const counters = createResilientCounters({
    redis,
    prefix,
    replicaShare: config.replicaShare ?? 1,
    timeoutMs,
    onStateChange: (degraded, cause) =>
      log(degraded ? `limits: Redis unreachable, enforcing this replica's share in memory (${String((cause as Error | undefined)?.message ?? cause)})` : "limits: Redis is back; counters shared again"),
  });
  const ledger = { status: counters.budgets.status, repair: counters.budgets.repair, degraded: counters.degraded };
  const leases = startLeaseClient({ ...leaseOptions, ledger, store: createRedisLeaseStore(redis, prefix) });
  const budgets = createLeasedBudgets(counters.budgets, leases, { maxWaitMs: config.leaseMaxWaitMs });
  const enforcer = createLimitEnforcer({ limiter: counters.limiter, budgets, degraded: counters.degraded });
  return {
    enforcer,
    leases,
    degraded: counters.degraded,
    shared: true,
    async close() {
      await leases.stop();
      counters.close();
      redis.disconnect();
    },
  };
}
