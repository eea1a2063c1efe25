import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import { createMemoryLeaseStore, type LeaseStore } from "./lease-store.ts";
import { createRedisLeaseStore } from "./redis-lease-store.ts";

let redis: TestRedis;
beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
});

const lease = (grantedMicros: number, expiresAt: number, exhausted = false) => ({ scope: "ten:ten_a", period: "day:2026-11-25", capMicros: 1_000_000, grantedMicros, expiresAt, exhausted });

async function suite(store: LeaseStore, other: LeaseStore): Promise<void> {
  expect(await store.load("ten:ten_a", "day:2026-11-25")).toBeNull();
  await store.save(lease(50_000, 1_000));
  // Another replica's newer answer wins; an older one saved late does not overwrite it.
  await other.save(lease(300_000, 2_000, true));
  await store.save(lease(60_000, 1_500));
  expect(await store.load("ten:ten_a", "day:2026-11-25")).toEqual(lease(300_000, 2_000, true));
  expect(await other.load("ten:ten_a", "day:2026-11-26")).toBeNull();
}

test("Redis: replicas of a region share leases; the later expiry wins", async () => {
  await suite(createRedisLeaseStore(redis.client, redis.prefix), createRedisLeaseStore(redis.client, redis.prefix));
});

test("memory: the same rules within one replica", async () => {
  const store = createMemoryLeaseStore();
  await suite(store, store);
});
