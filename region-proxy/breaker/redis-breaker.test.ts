/**
 * The shared suite on Redis with two separate connections as two replicas: they share state, and the
 * half-open probe test proves only one of them gets the probe.
 */
import { afterAll, beforeAll } from "bun:test";
import Redis from "ioredis";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import { describeBreaker } from "./breaker.suite.ts";
import { createRedisBreaker } from "./redis-breaker.ts";

let testRedis: TestRedis;
let second: Redis;
let run = 0;

beforeAll(async () => {
  testRedis = await createTestRedis();
  second = new Redis(testRedis.url, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  second.disconnect();
  await testRedis.cleanup();
});

describeBreaker("Redis", {
  async pair(options) {
    const prefix = `${testRedis.prefix}${++run}:`;
    return [createRedisBreaker(testRedis.client, { ...options, prefix }), createRedisBreaker(second, { ...options, prefix })];
  },
});
