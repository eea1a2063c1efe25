/**
 * The in-process lease store (the proxy's whenever REDIS_URL is unset: lease-client.ts
 * `options.store ?? createMemoryLeaseStore()`) kept every (scope, period) lease it was ever given.
 * Periods are calendar days and months, so one replica kept one more entry per budgeted level every
 * day, forever. It now forgets a lease not saved for LEASE_KEEP_MS, as the Redis store's keys expire.
 */
import { afterEach, expect, setSystemTime, test } from "bun:test";
import { createMemoryLeaseStore, LEASE_KEEP_MS } from "./lease-store.ts";

const DAY = 86_400_000;
const START = Date.parse("2026-01-01T12:00:00Z");
afterEach(() => setSystemTime());

/** What lease-client.ts apply() saves for a managed daily budget: a lease living a few minutes. */
const dailyLease = (scope: string, now: number) => ({
  scope, period: `day:${new Date(now).toISOString().slice(0, 10)}@UTC`, capMicros: 1_000_000, grantedMicros: 500_000, expiresAt: now + 300_000, exhausted: false,
});

test("a lease not saved for 40 days is forgotten, as the Redis store's keys expire; one saved since is kept", async () => {
  expect(LEASE_KEEP_MS).toBe(40 * DAY);
  const store = createMemoryLeaseStore();
  setSystemTime(new Date(START));
  await store.save(dailyLease("key:key_1", START));
  await store.save({ ...dailyLease("key:key_2", START), period: "month:2026-01@UTC" });
  setSystemTime(new Date(START + 39 * DAY));
  expect(await store.load("key:key_1", "day:2026-01-01@UTC")).toEqual(dailyLease("key:key_1", START));
  await store.save({ ...dailyLease("key:key_2", START + 39 * DAY), period: "month:2026-01@UTC" });
  setSystemTime(new Date(START + 40 * DAY));
  expect(await store.load("key:key_1", "day:2026-01-01@UTC")).toBeNull();
  expect(await store.load("key:key_2", "month:2026-01@UTC")).toEqual({ ...dailyLease("key:key_2", START + 39 * DAY), period: "month:2026-01@UTC" });
});

test("an older lease saved over a forgotten one is kept, as Redis keeps it once the key has expired", async () => {
  const store = createMemoryLeaseStore();
  setSystemTime(new Date(START));
  await store.save({ ...dailyLease("key:key_1", START), expiresAt: START + 100 * DAY });
  setSystemTime(new Date(START + 41 * DAY));
  await store.save({ ...dailyLease("key:key_1", START), expiresAt: START + 41 * DAY + 300_000 });
  expect((await store.load("key:key_1", "day:2026-01-01@UTC"))?.expiresAt).toBe(START + 41 * DAY + 300_000);
});

test("the in-process lease store stops growing after 40 days (10,000 budgeted keys a day)", async () => {
  const store = createMemoryLeaseStore();
  const held: number[] = [];
  for (let d = 0; d < 60; d++) {
    const now = START + d * DAY;
    setSystemTime(new Date(now));
    for (let k = 0; k < 10_000; k++) await store.save({ ...dailyLease(`key:key_${k.toString(36).padStart(20, "0")}`, now), period: `day:${new Date(now).toISOString().slice(0, 10)}@America/New_York` });
    if (d % 20 === 19) held.push(store.size());
  }
  // Days 40 to 59 add 200,000 leases and forget as many: at most the last 41 days' are held (a sweep runs
  // at most a day apart), where every lease ever saved was (600,000) before.
  expect(held[0]).toBe(200_000);
  expect(held[1]).toBe(400_000);
  expect(held[2]).toBeLessThanOrEqual(410_000);
}, 120_000);
