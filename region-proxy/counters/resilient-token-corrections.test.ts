/**
 * A request's token correction (settle's actual − estimate, release's refund) goes to the counters
 * that admitted it: the shared Redis bucket, or this replica's in-process fallback. Redis of the test's
 * own behind a relay that black-holes the connections open at a moment (a failed-over node), so the
 * counters turn degraded, then replace the connection and come back. Every call passes one fixed clock,
 * so refills cannot blur the counts.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import type Redis from "ioredis";
import { ZERO_USAGE } from "../../shared/money/cost.ts";
import { createLimitEnforcer } from "../limits/enforce-limits.ts";
import { testKey, testSnapshot } from "../limits/test-snapshot.ts";
import { startOwnRedis, startRedisRelay, type OwnRedis, type RedisRelay } from "../testing/redis-relay.ts";
import { createCountersRedis } from "./counters-redis.ts";
import type { LimitCheck } from "./rate-limit-types.ts";
import { createRedisRateLimiter } from "./redis-rate-limiter.ts";
import { createResilientCounters, type ResilientCounters } from "./resilient-counters.ts";

const T0 = 1_764_000_000_000;
const PREFIX = "corrections:";

let own: OwnRedis;
let relay: RedisRelay;
let redis: Redis;
let direct: Redis;
let counters: ResilientCounters;

beforeAll(async () => {
  own = await startOwnRedis();
  relay = startRedisRelay(own.port);
  direct = createCountersRedis(own.url, { commandTimeoutMs: 1000 });
  redis = createCountersRedis(relay.url, { commandTimeoutMs: 100, maxReconnectDelayMs: 100 });
  while ((await redis.ping().catch(() => "")) !== "PONG") await Bun.sleep(20);
  counters = createResilientCounters({ redis, prefix: PREFIX, replicaShare: 0.5, timeoutMs: 100, pingIntervalMs: 50 });
}, 20_000);
afterAll(async () => {
  counters?.close();
  redis?.disconnect();
  direct?.disconnect();
  relay?.stop();
  await own?.stop();
});

/** The TPM left at T0 in the shared bucket, read on a connection of its own (a zero-token acquire charges nothing). */
async function sharedTokensLeft(checks: LimitCheck[]): Promise<number> {
  const verdict = await createRedisRateLimiter(direct, { prefix: PREFIX }).acquire(checks, 0, T0);
  return verdict.tokens!.remaining;
}

/** Silences this replica's Redis connection; the next counter call times out and turns the counters degraded. */
function blackHole(): void {
  expect(counters.degraded()).toBe(false);
  relay.blackHoleExisting();
}

/** Until the counters replaced the dead connection and are back on Redis (a few seconds). */
async function untilRecovered(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (counters.degraded() && Date.now() < deadline) await Bun.sleep(20);
  expect(counters.degraded()).toBe(false);
}

// Each test starts on Redis, whatever the one before left.
beforeEach(untilRecovered, 15_000);

test("a request admitted in memory during a blip and settled after it leaves the shared bucket as Redis charged it", async () => {
  const checks = [{ scope: "key:admitted-locally", tpm: 10_000 }];
  expect((await counters.limiter.acquire(checks, 2_000, T0)).allowed).toBe(true);

  blackHole();
  // Degraded, this replica's share is 5,000 in memory (2,000 of it used through Redis).
  const local = await counters.limiter.acquire(checks, 2_500, T0);
  expect(local.allowed).toBe(true);
  expect(counters.degraded()).toBe(true);
  await untilRecovered();

  // It used 10 tokens: the correction is 10 - 2,500, owed to the in-process bucket that charged the 2,500.
  await counters.limiter.adjustTokens(checks, 10 - 2_500, T0, local);
  // Redis charged 2,000 of its 10,000 and must not be credited 2,490 it never charged (before: 10,000 left).
  expect(await sharedTokensLeft(checks)).toBe(8_000);
}, 20_000);

test("a request admitted through Redis and settled during a blip does not credit the in-process fallback with its refund", async () => {
  const checks = [{ scope: "key:admitted-by-redis", tpm: 10_000 }];
  const shared = await counters.limiter.acquire(checks, 4_000, T0);
  expect(shared.allowed).toBe(true);

  blackHole();
  // Degraded, this replica's share is 5,000 in memory; it admits 1,000 of its own.
  expect((await counters.limiter.acquire(checks, 1_000, T0)).allowed).toBe(true);
  expect(counters.degraded()).toBe(true);
  // The Redis-admitted request settles now: it used 10 tokens.
  await counters.limiter.adjustTokens(checks, 10 - 4_000, T0, shared);

  // The fallback still counts the 1,000 it admitted (before: the 3,990 refund emptied it, 5,000 left).
  const probe = await counters.limiter.acquire(checks, 0, T0);
  expect(counters.degraded()).toBe(true);
  expect(probe.tokens!.remaining).toBeLessThanOrEqual(4_000);

  // Redis was unreachable for the correction, which is dropped, not replayed later: it still holds the
  // 4,000 charged (drained within the minute) and nothing of the 1,000 admitted in memory.
  await untilRecovered();
  expect(await sharedTokensLeft(checks)).toBe(6_000);
}, 20_000);

test("the limits step's settle and release correct the side that admitted the request", async () => {
  const key = testKey({ limits: { tpm: 10_000 } });
  const snapshot = testSnapshot();
  snapshot.keys["hash"] = key;
  const enforcer = createLimitEnforcer({ limiter: counters.limiter, budgets: counters.budgets, degraded: counters.degraded });
  const admit = () =>
    enforcer.admit({ snapshot, key, tenantId: key.tenantId, featureId: null, request: { promptTokens: 500, maxOutputTokens: 500 }, deployment: null, now: new Date(T0) });
  const checks = [{ scope: `key:${key.id}`, tpm: 10_000 }];

  const before = await admit();
  if (!before.ok) throw new Error("refused while Redis was up");
  blackHole();
  const settled = await admit();
  const released = await admit();
  if (!settled.ok || !released.ok) throw new Error("refused in memory");
  expect(counters.degraded()).toBe(true);
  await untilRecovered();

  // Both were charged in memory: settling one (20 tokens used) and releasing the other must not credit Redis.
  await settled.ticket.settle({ ...ZERO_USAGE, inputTokens: 10, outputTokens: 10 }, 0);
  await released.ticket.release();
  expect(await sharedTokensLeft(checks)).toBe(9_000);

  // The one Redis admitted is corrected in Redis: it used 250 of its 1,000.
  await before.ticket.settle({ ...ZERO_USAGE, inputTokens: 125, outputTokens: 125 }, 0);
  expect(await sharedTokensLeft(checks)).toBe(9_750);
}, 20_000);
