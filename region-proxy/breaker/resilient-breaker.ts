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
 * with no verdict (releaseProbe), and that is told too; when it refuses, the slot is released.
 *
 * Told late, a verdict names its attempt: every canAttempt sent to Redis carries an id of its own,
 * which Redis marks the probe slot it grants with, and a verdict naming an attempt is applied only
 * while the slot is still that attempt's (redis-breaker.ts), else it changes nothing. So what is told
 * late can only resolve the slot it was for, never undo what other replicas saw meanwhile: a reply lost
 * on a closed circuit (the common case: the requests in flight when the connection goes silent) held
 * no slot, and its request's success cannot close a circuit they opened since; a verdict told twice
 * counts once; a late release frees no other replica's probe. Known trade-offs:
 * - a late verdict whose slot moved on is dropped: a probe's success told after another replica's
 *   failure re-opened the circuit leaves it open for one more cool-down (then it is probed again);
 * - the outcome of a request granted on a closed circuit with the reply lost, told while degraded,
 *   never reaches Redis (as any request's outcome while degraded);
 * - told as it happens (healthy), a verdict is applied as any request's, unconditionally: a release of
 *   a grant whose reply was lost, told after Redis came back, may free another replica's probe slot
 *   (one more probe);
 * - during a rolling deploy, replicas on the script from before attempt ids leave the mark in place
 *   when they re-open a circuit or grant its probe, so a late verdict may apply to such a slot.
 * Healthy, a request costs what it did (a lookup in a map that is empty unless a probe is out), plus
 * an attempt id (a short string) sent with each canAttempt.
 *
 * An error Redis answers about a circuit's key (a `br:` key of another type: counters/redis-key-error.ts)
 * is not an outage: that call is answered by the in-process breaker (a verdict is not owed: Redis would
 * refuse it again), the key is logged about once a minute, and the breaker stays on Redis for every
 * other circuit.
 *
 * Timeouts on the request path are the client's: pass an ioredis client with a `commandTimeout` (and a
 * `socketTimeout`, so the ping does not run for ever on a connection that silently died), as
 * create-breaker.ts does.
 */
import type { Cluster, Redis } from "ioredis";
import { randomBytes } from "node:crypto";
import { breakerSettings, type AttemptGrant, type CircuitBreaker } from "./breaker-types.ts";
import { isKeyError, keyErrorLog } from "../counters/redis-key-error.ts";
import { createRedisRecovery, withTimeout } from "../counters/redis-recovery.ts";
import { createHeldProbeSlots, type ProbeVerdict } from "./held-probe-slots.ts";
import { createMemoryBreaker } from "./memory-breaker.ts";
import { breakerKey, createRedisBreaker, type RedisBreakerOptions } from "./redis-breaker.ts";

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
  /** Where a call Redis refused over a circuit's key is told (about once a minute per circuit). */
  log?: (line: string) => void;
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
  const keyErrors = keyErrorLog(options.log, "circuit breaker");
  // Told late, a verdict names its attempt: Redis applies it only while the slot is still that attempt's.
  // One Redis refuses over its key is dropped (told), not owed for ever: it must not hold up recovery.
  const tellOwed = () =>
    slots.settle((verdict, depId, attemptId, atMs) =>
      withTimeout(remote[verdict](depId, atMs, attemptId), pingTimeoutMs, "breaker verdict").catch((error: unknown) => {
        if (!isKeyError(error)) throw error;
        keyErrors(`${verdict} on ${breakerKey(options.prefix, depId)}`, error);
      }),
    );
  // Every attempt gets an id, as Redis marks the probe slot it grants with it: unknown to other replicas.
  const replicaId = randomBytes(9).toString("base64url");
  let attempts = 0;
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
  /** A call on `depId`'s circuit failed: an outage degrades the breaker, an error about its key is only logged. */
  const failed = (call: string, depId: string, error: unknown) => (isKeyError(error) ? keyErrors(`${call} on ${breakerKey(options.prefix, depId)}`, error) : degrade(error));

  /** A question: Redis while healthy, the in-process breaker once it failed (from this very call on). */
  function ask<T>(depId: string, viaRedis: () => Promise<T> | T, locally: () => T): Promise<T> | T {
    if (recovery.degraded()) return locally();
    return Promise.resolve(viaRedis()).catch((error: unknown) => {
      failed("coolDownLeftMs", depId, error);
      return locally();
    });
  }

  /**
   * An outcome: the in-process breaker always hears it; Redis too while healthy (as it happens, like any
   * request's), else it is owed to Redis if this replica may hold the circuit's probe slot there.
   */
  function tell(verdict: ProbeVerdict, depId: string, nowMs: number | undefined): Promise<void> | void {
    void local[verdict](depId, nowMs);
    const attemptId = slots.attemptOf(depId);
    if (attemptId === undefined) {
      if (recovery.degraded()) return;
      return remote[verdict](depId, nowMs).catch((error: unknown) => failed(verdict, depId, error));
    }
    if (recovery.degraded()) return slots.owe(depId, attemptId, verdict, nowMs);
    slots.forget(depId);
    return remote[verdict](depId, nowMs).catch((error: unknown) => {
      if (!isKeyError(error)) slots.owe(depId, attemptId, verdict, nowMs);
      failed(verdict, depId, error);
    });
  }

  return {
    canAttempt(depId, nowMs) {
      if (recovery.degraded()) return local.canAttempt(depId, nowMs) as AttemptGrant;
      const attemptId = `${replicaId}:${++attempts}`;
      return remote.canAttempt(depId, nowMs, attemptId).then(
        (grant) => {
          if (grant === "probe") slots.take(depId, attemptId);
          return grant;
        },
        (error: unknown) => {
          // Refused over its key, Redis ran nothing: this call is the in-process breaker's, no slot held.
          if (isKeyError(error)) {
            failed("canAttempt", depId, error);
            return local.canAttempt(depId, nowMs) as AttemptGrant;
          }
          degrade(error);
          // Redis may have run the attempt and granted the probe, with the answer lost: a slot held.
          slots.take(depId, attemptId);
          if (local.canAttempt(depId, nowMs)) return "probe";
          slots.owe(depId, attemptId, "releaseProbe", nowMs);
          return false;
        },
      );
    },
    coolDownLeftMs: (depId, nowMs) => ask<number>(depId, () => remote.coolDownLeftMs(depId, nowMs), () => local.coolDownLeftMs(depId, nowMs) as number),
    onSuccess: (depId, nowMs) => tell("onSuccess", depId, nowMs),
    onFailure: (depId, nowMs) => tell("onFailure", depId, nowMs),
    releaseProbe: (depId, nowMs) => tell("releaseProbe", depId, nowMs),
    degraded: () => recovery.degraded(),
    close: () => recovery.close(),
  };
}
