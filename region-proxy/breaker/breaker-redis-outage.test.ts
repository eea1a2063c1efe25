/**
 * The shared breaker's Redis is unreachable, slower than the breaker's 100 ms timeout, or hung mid-run:
 * the proxy keeps a breaker all the same (this replica's in-process one), so a failing deployment is
 * skipped after the threshold (3 calls over 10 requests, not one or two per request), and the switch is
 * logged once instead of once per breaker call.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { freePort } from "../../test/support/ports.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, type ProxyFixture } from "../testing/proxy-fixture.ts";
import { startOwnRedis, startRedisRelay, type OwnRedis, type RedisRelay } from "../testing/redis-relay.ts";

let fx: ProxyFixture;
let redis: OwnRedis;
let slowRelay: RedisRelay;

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
  redis = await startOwnRedis();
  slowRelay = startRedisRelay(redis.port, 150);
}, 30_000);
afterAll(async () => {
  await fx?.cleanup();
  slowRelay?.stop();
  redis?.resume();
  await redis?.stop();
});

/** A proxy with its own log lines, the breaker at 3 failures for 30 s. */
async function start(redisUrl: string): Promise<{ proxy: RunningProxy; lines: string[] }> {
  const lines: string[] = [];
  const proxy = await fx.startProxy({ redisUrl, dataDir: fx.freshDataDir(), breaker: { failureThreshold: 3, coolDownMs: 30_000, prefix: `ro${freePort()}:` }, log: (l) => void lines.push(l) });
  return { proxy, lines };
}

/** 10 requests to the alias whose first deployment always fails (error-500, then echo-1); how often the failing one was called. */
async function deadCallsOver10(proxy: RunningProxy): Promise<number> {
  const before = fx.vendor.calls("error-500");
  for (let i = 0; i < 10; i++) {
    const r = await fx.client(proxy).chat.completions.create({ model: "fallback", messages: [{ role: "user", content: "hi" }] });
    expect(r.choices[0]!.message.content).toBeString();
  }
  return fx.vendor.calls("error-500") - before;
}

const breakerLines = (lines: string[]) => lines.filter((l) => l.includes("circuit breaker"));

test("Redis unreachable from the start: the failing deployment is skipped after 3 failures; one log line", async () => {
  const { proxy, lines } = await start(`redis://127.0.0.1:${freePort()}`);
  expect(await deadCallsOver10(proxy)).toBeLessThanOrEqual(3);
  expect(breakerLines(lines)).toEqual(["circuit breaker: Redis not reachable yet; starting on this replica's in-process breaker until it answers"]);
}, 30_000);

test("Redis slower than the breaker's timeout: the failing deployment is skipped after 3 failures; one log line", async () => {
  const { proxy, lines } = await start(slowRelay.url);
  expect(await deadCallsOver10(proxy)).toBeLessThanOrEqual(3);
  // At start already (its ready check times out too) or on the first breaker call.
  expect(breakerLines(lines)).toHaveLength(1);
  expect(breakerLines(lines)[0]).toContain("this replica's in-process breaker");
}, 30_000);

test("Redis hung mid-run: the failing deployment is skipped after 3 failures; the breaker is shared again once Redis answers", async () => {
  const { proxy, lines } = await start(redis.url);
  await fx.client(proxy).chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
  expect(breakerLines(lines)).toEqual([]);
  redis.pause();
  try {
    expect(await deadCallsOver10(proxy)).toBeLessThanOrEqual(3);
    expect(breakerLines(lines)).toHaveLength(1);
    expect(breakerLines(lines)[0]).toStartWith("circuit breaker: Redis unreachable, using this replica's in-process breaker");
  } finally {
    redis.resume();
  }
  const deadline = Date.now() + 20_000;
  while (!lines.includes("circuit breaker: Redis is back; breaker shared again") && Date.now() < deadline) await Bun.sleep(100);
  expect(breakerLines(lines)).toHaveLength(2);
  expect(breakerLines(lines)[1]).toBe("circuit breaker: Redis is back; breaker shared again");
}, 40_000);
