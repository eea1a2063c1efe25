import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import { createMemoryLeaseStore, type LeaseStore, type StoredLease } from "./lease-store.ts";
import { createRedisLeaseStore } from "./redis-lease-store.ts";

let redis: TestRedis;
beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
});

const lease = (grantedMicros: number, expiresAt: number, exhausted = false, scope = "ten:ten_a") => ({ scope, period: "day:2026-11-25", capMicros: 1_000_000, grantedMicros, expiresAt, exhausted });

/** `got` is `want` with an expiry within `slackMs` of it (Redis keeps the life left, not the instant). */
function expectLease(got: StoredLease | null, want: StoredLease, slackMs: number): void {
  expect(got).toEqual({ ...want, expiresAt: expect.any(Number) });
  expect(Math.abs(got!.expiresAt - want.expiresAt)).toBeLessThanOrEqual(slackMs);
}

async function suite(store: LeaseStore, other: LeaseStore, slackMs: number): Promise<void> {
  expect(await store.load("ten:ten_a", "day:2026-11-25")).toBeNull();
  const at = Date.now();
  await store.save(lease(50_000, at + 10_000));
  // Another replica's newer answer wins; an older one saved late does not overwrite it.
  await other.save(lease(300_000, at + 20_000, true));
  await store.save(lease(60_000, at + 15_000));
  expectLease(await store.load("ten:ten_a", "day:2026-11-25"), lease(300_000, at + 20_000, true), slackMs);
  expect(await other.load("ten:ten_a", "day:2026-11-26")).toBeNull();
}

test("Redis: replicas of a region share leases; the later expiry wins", async () => {
  await suite(createRedisLeaseStore(redis.client, redis.prefix), createRedisLeaseStore(redis.client, redis.prefix), 1000);
});

test("memory: the same rules within one replica", async () => {
  const store = createMemoryLeaseStore();
  await suite(store, store, 0);
});

test("Redis: replicas whose clocks are 180 s apart keep the lease that lives longer, and each reads its life on its own clock", async () => {
  const ahead = () => Date.now() + 90_000;
  const behind = () => Date.now() - 90_000;
  const onAhead = createRedisLeaseStore(redis.client, redis.prefix, { now: ahead });
  const onBehind = createRedisLeaseStore(redis.client, redis.prefix, { now: behind });
  const scope = "ten:ten_skew";
  await onAhead.save(lease(10_000, ahead() + 10_000, false, scope));
  // 50 s left: it lives longer, though its expiry reads 140 s earlier than the other's.
  await onBehind.save(lease(20_000, behind() + 50_000, false, scope));
  expectLease(await onAhead.load(scope, "day:2026-11-25"), lease(20_000, ahead() + 50_000, false, scope), 1000);
  expectLease(await onBehind.load(scope, "day:2026-11-25"), lease(20_000, behind() + 50_000, false, scope), 1000);
});
