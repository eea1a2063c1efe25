/**
 * Builds the proxy's circuit breaker from configuration: with a Redis URL, one breaker shared by every
 * replica of the region (keys under `gw:<region>:br:<deployment>`, so failures seen by one replica
 * open the circuit for all, and exactly one replica probes after the cool-down); without it, an
 * in-process breaker. A Redis that is down or slower than the timeout never fails a request, nor
 * leaves the proxy without a breaker: the shared breaker falls back to this replica's in-process one
 * until Redis answers again (resilient-breaker.ts), and `degraded()` says so for /health.
 */
import { connected, createCountersRedis } from "../counters/counters-redis.ts";
import type { BreakerOptions, CircuitBreaker } from "./breaker-types.ts";
import { createMemoryBreaker } from "./memory-breaker.ts";
import { createResilientBreaker } from "./resilient-breaker.ts";
import { parseDecimalInteger } from "../../shared/config/decimal-integer.ts";

/**
 * `probeTimeoutMs`: pass each deployment's total timeout (a function of the deployment id), so a probe
 * keeps its slot while in flight.
 */
export interface BreakerConfig extends BreakerOptions {
  region: string;
  /** Unset = in-process breaker. */
  redisUrl?: string;
  /** Overrides the key prefix (tests); default `gw:<region>:`. */
  prefix?: string;
  /** A breaker call slower than this fails, and the breaker answers from memory until Redis answers a ping; default 100 ms. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface RunningBreaker {
  breaker: CircuitBreaker;
  shared: boolean;
  /** True while the shared breaker (Redis) is unreachable and this replica's in-process breaker answers: report it on /health. */
  degraded(): boolean;
  close(): Promise<void>;
}

/**
 * Reads `BREAKER_FAILURES` and `BREAKER_COOLDOWN_MS` (positive integers); throws naming a bad value.
 * @example breakerOptionsFromEnv({ BREAKER_FAILURES: "3", BREAKER_COOLDOWN_MS: "30000" })
 */
export function breakerOptionsFromEnv(env: Record<string, string | undefined>): BreakerOptions {
  const read = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === "") return undefined;
    // Read as the proxy's other integers are (config.ts): "0x10" or "1e3" is refused, not 16 or 1000.
    const value = parseDecimalInteger(raw);
    if (value === null || value === 0) throw new Error(`${name} must be a positive decimal integer (got "${raw}")`);
    return value;
  };
  const options: BreakerOptions = {};
  const failures = read("BREAKER_FAILURES");
  const coolDown = read("BREAKER_COOLDOWN_MS");
  if (failures !== undefined) options.failureThreshold = failures;
  if (coolDown !== undefined) options.coolDownMs = coolDown;
  return options;
}

export async function createBreaker(config: BreakerConfig): Promise<RunningBreaker> {
  const options: BreakerOptions = { failureThreshold: config.failureThreshold, coolDownMs: config.coolDownMs, probeTimeoutMs: config.probeTimeoutMs };
  if (!config.redisUrl) return { breaker: createMemoryBreaker(options), shared: false, degraded: () => false, close: async () => {} };
  const log = config.log ?? (() => {});
  // The counters' client (counters-redis.ts): no offline queue, no retries, a command timeout, a
  // connection that silently died or that a failover left on a replica (READONLY) replaced; the start
  // waits (bounded) for its first connection, as the limits' does.
  const client = createCountersRedis(config.redisUrl, { commandTimeoutMs: config.timeoutMs ?? 100 });
  await connected(client);
  // No offline queue: a call before the connection is up fails, so an unreachable Redis starts degraded
  // instead of flipping on the first request.
  const startDegraded = client.status !== "ready";
  if (startDegraded) log("circuit breaker: Redis not reachable yet; starting on this replica's in-process breaker until it answers");
  const breaker = createResilientBreaker({
    ...options,
    redis: client,
    prefix: config.prefix ?? `gw:${config.region}:`,
    startDegraded,
    log,
    onStateChange: (degraded, cause) =>
      log(degraded ? `circuit breaker: Redis unreachable, using this replica's in-process breaker until it answers (${String((cause as Error | undefined)?.message ?? cause)})` : "circuit breaker: Redis is back; breaker shared again"),
  });
  return {
    breaker,
    shared: true,
    degraded: breaker.degraded,
    close: async () => {
      breaker.close();
      client.disconnect();
    },
  };
}
