/**
 * The state both Redis-backed parts of the proxy keep beside their in-process fallback (the counters,
 * resilient-counters.ts, and the circuit breaker, breaker/resilient-breaker.ts): degraded or not, and
 * while degraded a ping every `pingIntervalMs` until Redis answers. Then `beforeRecovered` runs (the
 * counters replay the writes they queued, the breaker tells the probe verdicts Redis did not hear; a
 * throw means not yet, and the ping goes on) and the state turns back. Each switch is told once
 * through `onStateChange`, except a start already degraded (the caller logs that itself).
 */
import type { Cluster, Redis } from "ioredis";

export interface RedisRecoveryOptions {
  redis: Redis | Cluster;
  pingIntervalMs: number;
  /** The longest a ping (and each step of `beforeRecovered`, through `withTimeout`) is waited for. */
  pingTimeoutMs: number;
  startDegraded: boolean;
  beforeRecovered?: () => Promise<void>;
  onStateChange?: (degraded: boolean, cause?: unknown) => void;
}

export interface RedisRecovery {
  degraded(): boolean;
  /** A Redis call failed: answer locally from now on, and ping until Redis answers (once, however often told). */
  degrade(cause: unknown): void;
  /** Stops the ping loop (does not close the Redis client, which the caller owns). */
  close(): void;
}

/** `work`, or a rejection naming `what` once `ms` have passed without its answer. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function createRedisRecovery(options: RedisRecoveryOptions): RedisRecovery {
  let isDegraded = options.startDegraded;
  let closed = false;
  let pingTimer: ReturnType<typeof setTimeout> | null = null;

  function schedulePing(): void {
    if (closed || pingTimer) return;
    pingTimer = setTimeout(async () => {
      pingTimer = null;
      try {
        await withTimeout(options.redis.ping(), options.pingTimeoutMs, "ping");
        await options.beforeRecovered?.();
        if (closed) return;
        isDegraded = false;
        options.onStateChange?.(false);
      } catch {
        schedulePing();
      }
    }, options.pingIntervalMs);
    (pingTimer as { unref?: () => void }).unref?.();
  }

  if (isDegraded) schedulePing();

  return {
    degraded: () => isDegraded,
    degrade(cause) {
      if (isDegraded || closed) return;
      isDegraded = true;
      options.onStateChange?.(true, cause);
      schedulePing();
    },
    close() {
      closed = true;
      if (pingTimer) clearTimeout(pingTimer);
      pingTimer = null;
    },
  };
}
