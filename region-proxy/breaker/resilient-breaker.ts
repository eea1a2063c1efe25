/**
 * The breaker's equivalent of counters/resilient-counters.ts: the Redis breaker, with an in-process
 * breaker to fall back on while Redis fails. Without it every breaker error failed open, so during an
 * outage a failing deployment was called on every request, each request waited for its breaker calls'
 * timeouts, and each of them was logged.
 *
 * Every outcome (success, failure, released probe) is also told to the in-process breaker, at once
 * (synchronous and cheap), so when Redis fails it already knows what this replica saw. Healthy, the
 * questions (canAttempt, coolDownLeftMs) go to Redis only: one round trip, as before. On the first
 * Redis error or timeout the breaker turns degraded (reported once through `onStateChange`) and
 * answers from the in-process one, synchronously, without touching Redis: a deployment failing
 * during the outage is skipped after the threshold, per replica. A ping loop (redis-recovery.ts, as
 * the counters') brings it back to Redis as soon as Redis answers (reported once too); nothing is replayed: the shared state is what the
 * replicas that kept Redis wrote, and any replica's later success closes it.
 *
 * Timeouts on the request path are the client's: pass an ioredis client with a `commandTimeout` (and a
 * `socketTimeout`, so the ping does not run for ever on a connection that silently died), as
 * create-breaker.ts does.
 */
import type { Cluster, Redis } from "ioredis";
import type { AttemptGrant, CircuitBreaker } from "./breaker-types.ts";
import { createRedisRecovery } from "../counters/redis-recovery.ts";
import { createMemoryBreaker } from "./memory-breaker.ts";
import { createRedisBreaker, type RedisBreakerOptions } from "./redis-breaker.ts";

export interface ResilientBreakerOptions extends RedisBreakerOptions {
  redis: Redis | Cluster;
  /** How often a degraded breaker pings Redis (default 1 s). */
  pingIntervalMs?: number;
  /** The longest a ping is waited for (default 1 s; the client's command timeout usually ends it sooner). */
  pingTimeoutMs?: number;
  /** Start on the in-process breaker (Redis was not reachable at start); no state change is reported for it. */
  startDegraded?: boolean;
  /** Called on every switch, for the log. */
  onStateChange?: (degraded: boolean, cause?: unknown) => void;
}

export interface ResilientBreaker extends CircuitBreaker {
  /** True while answering from the in-process breaker (Redis failing). */
  degraded(): boolean;
  /** Stops the ping loop (does not close the Redis client, which the caller owns). */
  close(): void;
}

/** Wraps the Redis breaker with an in-process fallback; see the file comment for the rules. */
export function createResilientBreaker(options: ResilientBreakerOptions): ResilientBreaker {
  const { redis } = options;
  const remote = createRedisBreaker(redis, options);
  const local = createMemoryBreaker(options);
  const recovery = createRedisRecovery({
    redis,
    pingIntervalMs: options.pingIntervalMs ?? 1000,
    pingTimeoutMs: options.pingTimeoutMs ?? 1000,
    startDegraded: options.startDegraded ?? false,
    onStateChange: options.onStateChange,
  });
  const degrade = (cause: unknown) => recovery.degrade(cause);

  /** A question: Redis while healthy, the in-process breaker once it failed (from this very call on). */
  function ask<T>(viaRedis: () => Promise<T> | T, locally: () => T): Promise<T> | T {
    if (recovery.degraded()) return locally();
    return Promise.resolve(viaRedis()).catch((error: unknown) => {
      degrade(error);
      return locally();
    });
  }

  /** An outcome: the in-process breaker always hears it; Redis too while healthy. */
  function tell(viaRedis: () => Promise<void> | void): Promise<void> | void {
    if (recovery.degraded()) return;
    return Promise.resolve(viaRedis()).catch(degrade);
  }

  return {
    canAttempt: (depId, nowMs) => ask<AttemptGrant>(() => remote.canAttempt(depId, nowMs), () => local.canAttempt(depId, nowMs) as AttemptGrant),
    coolDownLeftMs: (depId, nowMs) => ask<number>(() => remote.coolDownLeftMs(depId, nowMs), () => local.coolDownLeftMs(depId, nowMs) as number),
    onSuccess(depId, nowMs) {
      void local.onSuccess(depId, nowMs);
      return tell(() => remote.onSuccess(depId, nowMs));
    },
    onFailure(depId, nowMs) {
      void local.onFailure(depId, nowMs);
      return tell(() => remote.onFailure(depId, nowMs));
    },
    releaseProbe(depId, nowMs) {
      void local.releaseProbe(depId, nowMs);
      return tell(() => remote.releaseProbe(depId, nowMs));
    },
    degraded: () => recovery.degraded(),
    close: () => recovery.close(),
  };
}
