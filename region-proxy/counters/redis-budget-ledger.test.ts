import { expect, test } from "bun:test";
import type { Redis } from "ioredis";
import { useRedisReplicaPair } from "../../test/support/redis.ts";
import { describeBudgetLedger } from "./budget-ledger.suite.ts";
import { createRedisBudgetLedger } from "./redis-budget-ledger.ts";

// Two ioredis connections = two replicas; a fresh sub-prefix per test keeps tests independent.
const replicas = useRedisReplicaPair();

describeBudgetLedger("Redis", {
  async pair(options) {
    return replicas.pair((redis, prefix) => createRedisBudgetLedger(redis, { ...options, prefix }));
  },
});

test("Redis budget ledger: finished reservations leave no key behind, only the level's own", async () => {
  let client!: Redis;
  let keyPrefix = "";
  const [ledger] = replicas.pair((redis, prefix) => {
    client = redis;
    keyPrefix = prefix;
    return createRedisBudgetLedger(redis, { prefix });
  });
  const checks = [
    { scope: "key:keys", period: "day:2026-11-26", capMicros: 1_000_000 },
    { scope: "ten:keys", period: "month:2026-11", capMicros: 1_000_000 },
  ];
  const keysNow = async () => (await client.keys(`${keyPrefix}*`)).length;
  const once = async () => {
    const result = await ledger.reserve(checks, 10);
    if (!result.ok) throw new Error("refused");
    await ledger.settle(result.reservation, 7);
  };
  await once();
  const afterOne = await keysNow();
  for (let i = 0; i < 200; i++) await once();
  expect(await keysNow()).toBe(afterOne);
  // Per level: the balance hash; the live-reservation sorted set and id hash empty out (Redis drops empty keys).
  expect(afterOne).toBe(2);
  expect(await ledger.status("key:keys", "day:2026-11-26")).toEqual({ spentMicros: 201 * 7, reservedMicros: 0 });
});
