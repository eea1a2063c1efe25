/**
 * The ioredis client the counters should run on: it fails fast instead of queueing, so a dead or hung
 * Redis costs a request at most `commandTimeoutMs` before the resilient wrapper falls back.
 */
import Redis from "ioredis";

export interface CountersRedisOptions {
  /** Per-command timeout (default 50 ms). */
  commandTimeoutMs?: number;
  /** Reconnect delay ceiling (default 1 s). */
  maxReconnectDelayMs?: number;
}

/** Creates a client with no offline queue, no retries of a failed command, and a command timeout. */
export function createCountersRedis(url: string, options: CountersRedisOptions = {}): Redis {
  const ceiling = options.maxReconnectDelayMs ?? 1000;
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 50,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 50, ceiling),
  });
  // Connection errors are expected while Redis is down; the resilient wrapper reports the state change.
  client.on("error", () => {});
  return client;
}
