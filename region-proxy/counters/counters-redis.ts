/**
 * The ioredis client the counters should run on: it fails fast instead of queueing, so a dead or hung
 * Redis costs a request at most `commandTimeoutMs` before the resilient wrapper falls back.
 *
 * A connection that stops answering (a failed-over node, a partition: no reply, no RST) is replaced:
 * a command timeout alone never makes ioredis reconnect, so the recovery ping would run on the dead
 * socket until the kernel gives it up (~15 min) although a new connection would work. ioredis's
 * `socketTimeout` destroys the socket once a sent command has had no byte back for that long, and the
 * retry strategy then opens a new one. So is one on a node a failover turned into a replica (every
 * write refused with READONLY, PING still answered): see reconnectOnReadOnly.
 */
import Redis from "ioredis";
import { replyCodeMatcher } from "./reply-code.ts";

export interface CountersRedisOptions {
  /** Per-command timeout (default 50 ms). */
  commandTimeoutMs?: number;
  /** Reconnect delay ceiling (default 1 s). */
  maxReconnectDelayMs?: number;
  /** A connection with a command out and nothing received for this long is replaced (default: see deadConnectionMs). */
  socketTimeoutMs?: number;
}

/**
 * How long a connection may stay silent with a command out before it is declared dead and replaced:
 * far above any command timeout (a healthy Redis answers a burst byte after byte, so only a dead or
 * stalled one is silent this long), short enough that a replica recovers within seconds.
 */
export function deadConnectionMs(commandTimeoutMs: number): number {
  return Math.max(2_000, 4 * commandTimeoutMs);
}

const READONLY = replyCodeMatcher(["READONLY"]);

/**
 * ioredis's `reconnectOnError` for a client that must follow a failover: a READONLY reply means the
 * connection is on a node that became a replica (ElastiCache, Sentinel or a DNS name moved to the
 * promoted node), which still answers PING but refuses every write, for as long as the socket lives.
 * The call fails as before (1: not re-sent), and the connection is replaced, so the next one resolves
 * the address again and reaches the node that takes writes; the recovery ping then runs there.
 *
 * Every write the counters, the breaker and the leases send is a script, so the code may come wrapped
 * in the script's error (reply-code.ts).
 */
export function reconnectOnReadOnly(error: Error): 1 | false {
  return READONLY.test(error.message) ? 1 : false;
}

/**
 * Creates a client with no offline queue, no retries of a failed command, and a command timeout; the
 * counters' and the breaker's (create-breaker.ts) both.
 */
export function createCountersRedis(url: string, options: CountersRedisOptions = {}): Redis {
  const ceiling = options.maxReconnectDelayMs ?? 1000;
  const commandTimeout = options.commandTimeoutMs ?? 50;
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout,
    socketTimeout: options.socketTimeoutMs ?? deadConnectionMs(commandTimeout),
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 50, ceiling),
    reconnectOnError: reconnectOnReadOnly,
  });
  // Connection errors are expected while Redis is down; the resilient wrapper (counters or breaker) reports the state change.
  client.on("error", () => {});
  return client;
}

/** How long start-up waits for Redis before serving (degraded) without it. */
export const CONNECT_WAIT_MS = 2_000;

/**
 * Waits (bounded) for a client of createCountersRedis to connect: it queues nothing offline, so a
 * command sent before the connection is up fails and would flip a healthy replica to degraded on its
 * first request. Each connection attempt is bounded at 1 s (connectTimeout above).
 */
export async function connected(redis: Redis, waitMs: number = CONNECT_WAIT_MS): Promise<boolean> {
  if (redis.status === "ready") return true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ready = new Promise<boolean>((resolve) => {
    redis.once("ready", () => resolve(true));
    timer = setTimeout(() => resolve(false), waitMs);
  });
  return ready.finally(() => clearTimeout(timer));
}
