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

test("Redis budget ledger: a finished reservation's marker lives 15 minutes by default, then nothing of it is left", async () => {
  let client!: Redis;
  let keyPrefix = "";
  const make = (options: { settledMemoryMs?: number }) =>
    replicas.pair((redis, prefix) => {
      client = redis;
      keyPrefix = prefix;
      return createRedisBudgetLedger(redis, { prefix, ...options });
    })[0];
  const checks = [{ scope: "key:keys", period: "day:2026-11-26", capMicros: 1_000_000 }];
  const settleOne = async (ledger: ReturnType<typeof make>) => {
    const result = await ledger.reserve(checks, 10);
    if (!result.ok) throw new Error("refused");
    await ledger.settle(result.reservation, 7);
  };
  const markers = async () => client.keys(`${keyPrefix}*done:*`);

  await settleOne(make({}));
  const [marker] = await markers();
  // Longer than a reservation lives (10 min), far shorter than the 48 h it used to be.
  const ttl = await client.pttl(marker!);
  expect(ttl).toBeGreaterThan(10 * 60_000);
  expect(ttl).toBeLessThanOrEqual(15 * 60_000);

  // A memory of 1 s: far longer than 20 settles take even on a loaded machine.
  const shortMemory = make({ settledMemoryMs: 1_000 });
  for (let i = 0; i < 20; i++) await settleOne(shortMemory);
  expect((await markers()).length).toBe(20);
  await Bun.sleep(1_100);
  expect(await markers()).toEqual([]);
  expect(await shortMemory.status("key:keys", "day:2026-11-26")).toEqual({ spentMicros: 140, reservedMicros: 0 });
});
