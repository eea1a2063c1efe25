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
 * the counters') brings it back to Redis as soon as Redis answers (reported once too). The shared
 * state is what the replicas that kept Redis wrote, and any replica's later success closes it.
 *
 * One thing is told to Redis again: the verdict on a half-open probe slot this replica may hold there
 * (held-probe-slots.ts). Redis keeps such a slot until the deployment's total timeout lapses, skipping
 * the deployment on every replica meanwhile, so a probe whose verdict Redis did not hear (the call
 * failed, or came while degraded) would leave a healthy deployment skipped for up to that long (120 s
 * by default). The latest such verdict per circuit is kept (a few thousand circuits at most) and told
 * before the breaker asks Redis again. A grant whose reply was lost (the attempt timed out, maybe after
 * Redis ran it and gave the slot to no one) counts as a slot held: the in-process answer is used, and
 * when it allows, it is handed out as the probe ("probe"), so the request reports how it ended even
 * with no verdict (releaseProbe), and that is told too; when it refuses, the slot is released. The
 * price of not knowing whether Redis ran the call: a failure told twice may count twice, and a release
 * may free another replica's probe slot (one more probe). Healthy, a request costs what it did: a
 * lookup in a map that is empty unless a probe is out.
 *
 * Timeouts on the request path are the client's: pass an ioredis client with a `commandTimeout` (and a
 * `socketTimeout`, so the ping does not run for ever on a connection that silently died), as
 * create-breaker.ts does.
 */
import type { Cluster, Redis } from "ioredis";
import { breakerSettings, type AttemptGrant, type CircuitBreaker } from "./breaker-types.ts";
import { createRedisRecovery, withTimeout } from "../counters/redis-recovery.ts";
import { createHeldProbeSlots, type ProbeVerdict } from "./held-probe-slots.ts";
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
  const slots = createHeldProbeSlots(breakerSettings(options).probeTimeoutMs);
  const pingTimeoutMs = options.pingTimeoutMs ?? 1000;
  const tellOwed = () => slots.settle((verdict, depId, atMs) => withTimeout(Promise.resolve(remote[verdict](depId, atMs)), pingTimeoutMs, "breaker verdict"));
  const recovery = createRedisRecovery({
    redis,
    pingIntervalMs: options.pingIntervalMs ?? 1000,
    pingTimeoutMs,
    startDegraded: options.startDegraded ?? false,
    beforeRecovered: tellOwed,
    onStateChange(degraded, cause) {
      options.onStateChange?.(degraded, cause);
      // A verdict owed between the last one told and the switch back is told now.
      if (!degraded && slots.owesAny()) void tellOwed().catch(degrade);
    },
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

  /** An outcome: the in-process breaker always hears it; Redis too while healthy, else it is owed to Redis if this replica may hold the circuit's probe slot there. */
  function tell(verdict: ProbeVerdict, depId: string, nowMs: number | undefined): Promise<void> | void {
    void local[verdict](depId, nowMs);
    if (!slots.has(depId)) {
      if (recovery.degraded()) return;
      return Promise.resolve(remote[verdict](depId, nowMs)).catch(degrade);
    }
    if (recovery.degraded()) return slots.owe(depId, verdict, nowMs);
    slots.forget(depId);
    return Promise.resolve(remote[verdict](depId, nowMs)).catch((error: unknown) => {
      slots.owe(depId, verdict, nowMs);
      degrade(error);
    });
  }

  return {
    canAttempt(depId, nowMs) {
      if (recovery.degraded()) return local.canAttempt(depId, nowMs) as AttemptGrant;
      return Promise.resolve(remote.canAttempt(depId, nowMs)).then(
        (grant) => {
          if (grant === "probe") slots.take(depId);
          return grant;
        },
        (error: unknown) => {
          degrade(error);
          // Redis may have run the attempt and granted the probe, with the answer lost: a slot held.
          slots.take(depId);
          if (local.canAttempt(depId, nowMs)) return "probe";
          slots.owe(depId, "releaseProbe", nowMs);
          return false;
        },
      );
    },
    coolDownLeftMs: (depId, nowMs) => ask<number>(() => remote.coolDownLeftMs(depId, nowMs), () => local.coolDownLeftMs(depId, nowMs) as number),
    onSuccess: (depId, nowMs) => tell("onSuccess", depId, nowMs),
    onFailure: (depId, nowMs) => tell("onFailure", depId, nowMs),
    releaseProbe: (depId, nowMs) => tell("releaseProbe", depId, nowMs),
    degraded: () => recovery.degraded(),
    close: () => recovery.close(),
  };
}
