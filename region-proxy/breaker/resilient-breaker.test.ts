/**
 * The shared breaker with its in-process fallback: healthy, it is the Redis breaker (the shared suite,
 * two connections as two replicas); on a hung Redis (our own redis-server, SIGSTOP) it switches once,
 * answers from memory at once with the outcomes it was told, and goes back to Redis when it answers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { useRedisReplicaPair } from "../../test/support/redis.ts";
import { startOwnRedis, type OwnRedis } from "../testing/redis-relay.ts";
import { describeBreaker } from "./breaker.suite.ts";
import { createResilientBreaker, type ResilientBreaker } from "./resilient-breaker.ts";

const replicas = useRedisReplicaPair();

describeBreaker("Redis with in-process fallback", {
  async pair(options) {
    return replicas.pair((redis, prefix) => createResilientBreaker({ ...options, redis, prefix }));
  },
});

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

describe("resilient breaker on a Redis that hangs", () => {
  let redis: OwnRedis;
  let client: Redis;
  let breaker: ResilientBreaker;
  const changes: boolean[] = [];

  beforeAll(async () => {
    redis = await startOwnRedis();
    client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 100, socketTimeout: 2_000, lazyConnect: true });
    client.on("error", () => {});
    await client.connect();
    breaker = createResilientBreaker({ redis: client, prefix: "rb:", failureThreshold: 3, coolDownMs: 60_000, pingIntervalMs: 100, onStateChange: (d) => changes.push(d) });
  }, 20_000);
  afterAll(async () => {
    breaker?.close();
    client?.disconnect();
    redis?.resume();
    await redis?.stop();
  });

  test("switches once, skips a deployment after the threshold from memory without waiting, and is back on Redis when it answers", async () => {
    expect(await breaker.canAttempt("dep_a")).toBe(true);
    await breaker.onFailure("dep_a");
    expect(await client.hget("rb:br:dep_a", "f")).toBe("1");
    expect(breaker.degraded()).toBe(false);

    redis.pause();
    await breaker.onFailure("dep_a"); // times out on Redis: degraded; the in-process breaker heard it (and the first)
    expect(breaker.degraded()).toBe(true);
    expect(changes).toEqual([true]);
    // Synchronous answers (not promises): a request waits for no Redis timeout while degraded.
    expect(breaker.canAttempt("dep_a")).toBe(true);
    expect(breaker.onFailure("dep_a")).toBeUndefined();
    expect(breaker.canAttempt("dep_a")).toBe(false);
    expect(breaker.coolDownLeftMs("dep_a")).toBeGreaterThan(50_000);
    expect(changes).toEqual([true]);

    redis.resume();
    await until(() => !breaker.degraded(), "the breaker to return to Redis");
    expect(changes).toEqual([true, false]);
    // Back on Redis: what it answers is the shared state, which heard one failure of dep_a.
    expect(await breaker.canAttempt("dep_a")).toBe(true);
    await breaker.onFailure("dep_b");
    expect(await client.hget("rb:br:dep_b", "f")).toBe("1");
  }, 30_000);
});
