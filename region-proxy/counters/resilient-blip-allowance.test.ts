/**
 * A Redis blip does not hand out a fresh allowance: while degraded, each replica's in-process fallback
 * starts from what that replica admitted through Redis (requests, and tokens as settled). Two replicas
 * (share 0.5 each) on a Redis of the test's own, each behind a relay that black-holes the connections
 * open at a moment (a failed-over node). Every call passes one fixed clock, so refills cannot blur counts.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import type Redis from "ioredis";
import { startOwnRedis, startRedisRelay, type OwnRedis, type RedisRelay } from "../testing/redis-relay.ts";
import { createCountersRedis } from "./counters-redis.ts";
import type { LimitCheck } from "./rate-limit-types.ts";
import { createResilientCounters, type ResilientCounters } from "./resilient-counters.ts";

const T0 = 1_764_000_000_000;

let own: OwnRedis;
const relays: RedisRelay[] = [];
const clients: Redis[] = [];
const replicas: ResilientCounters[] = [];

beforeAll(async () => {
  own = await startOwnRedis();
  for (let i = 0; i < 2; i++) {
    const relay = startRedisRelay(own.port);
    relays.push(relay);
    const redis = createCountersRedis(relay.url, { commandTimeoutMs: 100, maxReconnectDelayMs: 100 });
    while ((await redis.ping().catch(() => "")) !== "PONG") await Bun.sleep(20);
    clients.push(redis);
    replicas.push(createResilientCounters({ redis, prefix: "blip:", replicaShare: 0.5, timeoutMs: 100, pingIntervalMs: 50 }));
  }
}, 20_000);
afterAll(async () => {
  for (const r of replicas) r.close();
  for (const c of clients) c.disconnect();
  for (const r of relays) r.stop();
  await own?.stop();
});

// Each test starts with both replicas on Redis (a blip's dead connection is replaced within seconds).
beforeEach(async () => {
  const deadline = Date.now() + 10_000;
  while (replicas.some((r) => r.degraded()) && Date.now() < deadline) await Bun.sleep(20);
  expect(replicas.map((r) => r.degraded())).toEqual([false, false]);
}, 15_000);

/** How many of `count` requests `replica` admits. */
async function admitted(replica: ResilientCounters, checks: LimitCheck[], count: number): Promise<number> {
  let n = 0;
  for (let i = 0; i < count; i++) if ((await replica.limiter.acquire(checks, 0, T0)).allowed) n++;
  return n;
}

/** Silences every replica's Redis connection; each one's next counter call times out and it turns degraded. */
function blip(): void {
  for (const relay of relays) relay.blackHoleExisting();
}

test("a minute used up through Redis gets no second allowance from a blip", async () => {
  const checks = [{ scope: "key:used-up", rpm: 20 }];
  let before = 0;
  for (let i = 0; i < 30; i++) if ((await replicas[i % 2]!.limiter.acquire(checks, 0, T0)).allowed) before++;
  expect(before).toBe(20);

  blip();
  const during = [await admitted(replicas[0]!, checks, 15), await admitted(replicas[1]!, checks, 15)];
  expect(replicas.map((r) => r.degraded())).toEqual([true, true]);
  // Each replica admitted its share (10) through Redis: nothing is left of it (before: 10 more each).
  expect(during).toEqual([0, 0]);
}, 20_000);

test("a replica that used less than its share through Redis may use the rest during a blip", async () => {
  const checks = [{ scope: "key:uneven", rpm: 20 }];
  expect([await admitted(replicas[0]!, checks, 16), await admitted(replicas[1]!, checks, 4)]).toEqual([16, 4]);

  blip();
  // Replica 0 is past its share of 10 (in debt until its use drains); replica 1 has 6 of its 10 left.
  expect([await admitted(replicas[0]!, checks, 10), await admitted(replicas[1]!, checks, 10)]).toEqual([0, 6]);
  expect(replicas.map((r) => r.degraded())).toEqual([true, true]);
}, 20_000);

test("the fallback counts the tokens Redis-admitted requests really used, as settled", async () => {
  const replica = replicas[0]!;
  const checks = [{ scope: "key:tokens", tpm: 10_000 }];
  const refunded = await replica.limiter.acquire(checks, 3_000, T0);
  const overran = await replica.limiter.acquire(checks, 1_000, T0);
  expect([refunded.allowed, overran.allowed]).toEqual([true, true]);
  await replica.limiter.adjustTokens(checks, 100 - 3_000, T0, refunded);
  await replica.limiter.adjustTokens(checks, 1_500 - 1_000, T0, overran);

  blip();
  const probe = await replica.limiter.acquire(checks, 0, T0);
  expect(replica.degraded()).toBe(true);
  // This replica's share is 5,000 in memory, of which the two used 100 + 1,500 (before: all 5,000 left).
  expect(probe.tokens).toEqual({ limit: 5_000, remaining: 3_400, resetMs: 19_200 });
}, 20_000);

test("an hour above its share through Redis refuses a replica in a blip for at most a minute, not the hour", async () => {
  const replica = replicas[0]!;
  // Uneven balancing: replica 0 alone serves the region's whole limit for an hour, one request every
  // 3 s of 500 tokens estimated and 1,000 settled (20 a minute, 20,000 TPM), each admitted by Redis.
  const checks = [{ scope: "key:uneven-hour", rpm: 20, tpm: 20_000 }];
  let admittedByRedis = 0;
  for (let i = 0; i < 1200; i++) {
    const verdict = await replica.limiter.acquire(checks, 500, T0 + i * 3_000);
    if (verdict.allowed) admittedByRedis++;
    await replica.limiter.adjustTokens(checks, 500, T0 + i * 3_000, verdict);
  }
  expect(admittedByRedis).toBe(1200);
  expect(replica.degraded()).toBe(false);

  blip();
  const now = T0 + 3_600_000;
  const first = await replica.limiter.acquire(checks, 0, now);
  expect(replica.degraded()).toBe(true);
  // Its share (10 a minute, 10,000 TPM) is used up as of its last request, 3 s ago: full again within
  // the minute (before: resetMs 3,600,000, the hour's use beyond its share, for requests and tokens).
  expect(first.allowed).toBe(false);
  expect(first.requests).toEqual({ limit: 10, remaining: 0, resetMs: 57_000 });
  expect(first.tokens).toEqual({ limit: 10_000, remaining: 500, resetMs: 57_000 });
  expect((await replica.limiter.acquire(checks, 1_000, now + 3_000)).allowed).toBe(true);
}, 30_000);
