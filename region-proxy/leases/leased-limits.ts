/**
 * The limits step with global budgets: limits/create-limits.ts with its `leases` option set, so every
 * budget the control plane manages is enforced as this region's lease (leased-budgets.ts). What the
 * proxy's wiring (main.ts) and the tests call.
 */
import { createLimits, type RunningLimits } from "../limits/create-limits.ts";
import type { LeaseClient } from "./lease-client.ts";

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
  /** Where a reservation waiting for its lease holds the end of its wait: the proxy's InFlight.limitWaits, so a graceful stop's cut ends it. */
  leaseWaitEnds?: Set<() => void>;
  log?: (line: string) => void;
}

export interface RunningLeasedLimits extends RunningLimits {
  leases: LeaseClient;
}

/** Builds counters, leases and the enforcer; with Redis, waits up to 2 s for it before serving. */
export async function createLeasedLimits(config: LeasedLimitsConfig): Promise<RunningLeasedLimits> {
  const running = await createLimits({
    region: config.region,
    redisUrl: config.redisUrl,
    prefix: config.prefix,
    replicaShare: config.replicaShare,
    timeoutMs: config.countersTimeoutMs,
    log: config.log,
    leases: { controlPlaneUrl: config.controlPlaneUrl, regionToken: config.regionToken, proxyId: config.proxyId, refreshMs: config.leaseRefreshMs, maxWaitMs: config.leaseMaxWaitMs, ends: config.leaseWaitEnds },
  });
  return { ...running, leases: running.leases! };
}
