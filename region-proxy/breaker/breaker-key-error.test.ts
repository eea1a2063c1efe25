/**
 * A circuit's `br:` key answered with an error (WRONGTYPE: a key of another type under its name) is
 * not Redis being unreachable (review rh H2): that circuit's calls are the in-process breaker's, the
 * key is logged, and every other circuit stays shared through Redis.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import Redis from "ioredis";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import { createResilientBreaker, type ResilientBreaker } from "./resilient-breaker.ts";

let testRedis: TestRedis;
let client: Redis;
let breaker: ResilientBreaker;
let logged: string[];
let changes: boolean[];

beforeEach(async () => {
  testRedis = await createTestRedis();
  client = new Redis(testRedis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 250, lazyConnect: true });
  await client.connect();
  logged = [];
  changes = [];
  breaker = createResilientBreaker({
    redis: client,
    prefix: testRedis.prefix,
    failureThreshold: 2,
    coolDownMs: 60_000,
    pingIntervalMs: 50,
    log: (line) => logged.push(line),
    onStateChange: (degraded) => changes.push(degraded),
  });
});
afterEach(async () => {
  breaker.close();
  client.disconnect();
  await testRedis.cleanup();
});

test("a circuit whose key Redis refuses is answered in process, alone, and the key is logged", async () => {
  const badKey = `${testRedis.prefix}br:dep_bad`;
  await testRedis.client.set(badKey, "x");
  expect(await breaker.canAttempt("dep_bad")).toBe(true);
  await breaker.onFailure("dep_bad");
  await breaker.onFailure("dep_bad");
  // The in-process breaker heard both failures: that circuit is open for this replica.
  expect(await breaker.canAttempt("dep_bad")).toBe(false);
  expect(await breaker.coolDownLeftMs("dep_bad")).toBeGreaterThan(50_000);
  expect(breaker.degraded()).toBe(false);
  expect(changes).toEqual([]);
  expect(logged.some((line) => line.includes(badKey) && line.includes("WRONGTYPE"))).toBe(true);
  // Every other circuit is Redis's, shared.
  await breaker.onFailure("dep_good");
  expect(await testRedis.client.hget(`${testRedis.prefix}br:dep_good`, "f")).toBe("1");
  // One line per call kind about once a minute, not one per request.
  const lines = logged.length;
  await breaker.canAttempt("dep_bad");
  await breaker.onFailure("dep_bad");
  expect(logged.length).toBe(lines);
});
