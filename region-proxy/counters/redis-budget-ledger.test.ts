import { afterAll, beforeAll } from "bun:test";
import Redis from "ioredis";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import { describeBudgetLedger } from "./budget-ledger.suite.ts";
import { createRedisBudgetLedger } from "./redis-budget-ledger.ts";

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
describeBudgetLedger("Redis", {
  async pair(options) {
    const prefix = `${testRedis.prefix}${++run}:`;
    return [createRedisBudgetLedger(testRedis.client, { ...options, prefix }), createRedisBudgetLedger(second, { ...options, prefix })];
  },
});
