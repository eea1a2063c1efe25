/**
 * Redis answering a call with an error about a key (WRONGTYPE: a key of another type under one
 * tenant's name) is not Redis being unreachable: Redis is up and answers pings. That call fails alone,
 * the key is logged, and the replica stays on Redis for every other tenant (review rh H2).
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { ReplyError, type Redis } from "ioredis";
import { createCountersRedis } from "./counters-redis.ts";
import { isKeyError, RedisKeyError } from "./redis-key-error.ts";
import { createResilientCounters, type ResilientCounters } from "./resilient-counters.ts";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";

const DAY = "day:2026-11-25";
let testRedis: TestRedis;
let redis: Redis;
let counters: ResilientCounters;
let logged: string[];
let changes: boolean[];

beforeEach(async () => {
  testRedis = await createTestRedis();
  redis = createCountersRedis(testRedis.url, { commandTimeoutMs: 250 });
  if (redis.status !== "ready") await new Promise((resolve) => redis.once("ready", resolve));
  logged = [];
  changes = [];
  counters = createResilientCounters({
    redis,
    prefix: testRedis.prefix,
    timeoutMs: 250,
    pingIntervalMs: 50,
    log: (line) => logged.push(line),
    onStateChange: (degraded) => changes.push(degraded),
  });
});
afterEach(async () => {
  counters.close();
  redis.disconnect();
  await testRedis.cleanup();
});

/** The ledger's keys for (scope, period), as redis-budget-ledger.ts names them. */
const levelKey = (kind: "h" | "z" | "m", scope: string) => `${testRedis.prefix}{bg}:bg:${kind}:${DAY}|${scope}`;

test("one tenant's key answered with WRONGTYPE refuses that tenant's budget only, and logs the key", async () => {
  await testRedis.client.set(levelKey("h", "ten:bad"), "x");
  const bad = await counters.budgets.reserve([{ scope: "org:o", period: DAY, capMicros: 50_000 }, { scope: "ten:bad", period: DAY, capMicros: 10_000 }], 100);
  // Refused as unavailable (503 budget_unavailable), naming the level that cannot be read; nothing held on the others.
  expect(bad).toMatchObject({ ok: false, unavailable: true, scope: "ten:bad", capMicros: 10_000 });
  expect(await counters.budgets.status("org:o", DAY)).toEqual({ spentMicros: 0, reservedMicros: 0 });
  // Straight after, a healthy tenant on the same replica and the same (healthy) Redis:
  const other = await counters.budgets.reserve([{ scope: "ten:good", period: DAY, capMicros: 10_000 }], 100);
  expect(other).toMatchObject({ ok: true });
  expect(counters.degraded()).toBe(false);
  expect(changes).toEqual([]);
  expect(logged.some((line) => line.includes(levelKey("h", "ten:bad")) && line.includes("a string"))).toBe(true);
  // Logged about once a minute per call, not once per request.
  await counters.budgets.reserve([{ scope: "ten:bad", period: DAY, capMicros: 10_000 }], 100);
  await counters.budgets.reserve([{ scope: "ten:bad", period: DAY, capMicros: 10_000 }], 100);
  expect(logged.length).toBe(2);
  // A status read of the broken level fails, alone.
  await expect(counters.budgets.status("ten:bad", DAY)).rejects.toThrow(/WRONGTYPE/);
  expect(counters.degraded()).toBe(false);
});

test("fail-open budgets admit locally on the unreadable level, as while Redis is down, without degrading", async () => {
  await testRedis.client.set(levelKey("z", "ten:bad"), "x");
  const admitted = await counters.budgets.reserve([{ scope: "ten:bad", period: DAY, capMicros: 10_000 }], 100, { failOpen: true });
  expect(admitted).toMatchObject({ ok: true });
  expect(counters.degraded()).toBe(false);
});

test("a settle meeting a broken level still settles every other level, once, and stays on Redis", async () => {
  const reserved = await counters.budgets.reserve([{ scope: "org:o", period: DAY, capMicros: 50_000 }, { scope: "ten:t", period: DAY, capMicros: 10_000 }], 3_000);
  if (!reserved.ok) throw new Error("refused");
  // The tenant's reservation map turns into a string while the request runs.
  await testRedis.client.del(levelKey("m", "ten:t"));
  await testRedis.client.set(levelKey("m", "ten:t"), "x");
  await counters.budgets.settle(reserved.reservation, 1_000);
  expect(await counters.budgets.status("org:o", DAY)).toEqual({ spentMicros: 1_000, reservedMicros: 0 });
  expect(counters.degraded()).toBe(false);
  expect(logged.some((line) => line.includes(levelKey("m", "ten:t")))).toBe(true);
  // Finished on the other levels: a repeat counts nothing more there.
  await counters.budgets.settle(reserved.reservation, 1_000);
  expect(await counters.budgets.status("org:o", DAY)).toEqual({ spentMicros: 1_000, reservedMicros: 0 });
});

test("a finish that meets a broken level writes nothing on it before checking: no level is left half-written", async () => {
  const reserved = await counters.budgets.reserve([{ scope: "ten:t", period: DAY, capMicros: 10_000 }, { scope: "org:o", period: DAY, capMicros: 50_000 }], 3_000);
  if (!reserved.ok) throw new Error("refused");
  // A count that is not an integer: HINCRBY would fail mid-script, after the levels before it.
  await testRedis.client.hset(levelKey("h", "org:o"), "spent", "1.5");
  await counters.budgets.settle(reserved.reservation, 1_000);
  expect(await counters.budgets.status("ten:t", DAY)).toEqual({ spentMicros: 1_000, reservedMicros: 0 });
  expect(counters.degraded()).toBe(false);
});

test("an error Redis answers about a key is a key error; one about the whole server, or no answer, is an outage", async () => {
  await testRedis.client.set(levelKey("h", "ten:x"), "x");
  const wrongType = await testRedis.client.hget(levelKey("h", "ten:x"), "spent").catch((error: unknown) => error);
  expect(isKeyError(wrongType)).toBe(true);
  expect(isKeyError(new RedisKeyError("budget key k holds a string", "ten:x"))).toBe(true);
  for (const message of ["LOADING Redis is loading the dataset in memory", "BUSY Redis is busy running a script", "READONLY You can't write against a read only replica.", "OOM command not allowed when used memory > 'maxmemory'.", "ERR Error running script (call to f_1): @user_script:5: OOM command not allowed"]) {
    expect(isKeyError(new ReplyError(message))).toBe(false);
  }
  expect(isKeyError(new Error("counters: Redis did not answer within 250 ms"))).toBe(false);
  expect(isKeyError(new TypeError("invalid micros: -1"))).toBe(false);
});
