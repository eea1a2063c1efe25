import { afterAll, beforeAll } from "bun:test";
import Redis from "ioredis";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import { describeRateLimiter } from "./rate-limiter.suite.ts";
import { createRedisRateLimiter } from "./redis-rate-limiter.ts";

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

// Two ioredis connections = two replicas; a fresh sub-prefix per test keeps tests independent.
describeRateLimiter("Redis", {
  async pair() {
    const prefix = `${testRedis.prefix}${++run}:`;
    return [createRedisRateLimiter(testRedis.client, { prefix }), createRedisRateLimiter(second, { prefix })];
  },
});
