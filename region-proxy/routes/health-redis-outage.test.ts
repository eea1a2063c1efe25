/**
 * /health and /metrics report a Redis outage whatever the traffic: a proxy started with Redis
 * unreachable says so before any request (counters and breaker both run in memory), and one whose Redis
 * dies while only keys without limits are used (no counter call fails) says so through its breaker,
 * asked on every request.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { freePort } from "../../test/support/ports.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, type ProxyFixture } from "../testing/proxy-fixture.ts";
import { startOwnRedis, type OwnRedis } from "../testing/redis-relay.ts";

let fx: ProxyFixture;
let redis: OwnRedis;

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
  redis = await startOwnRedis();
}, 30_000);
afterAll(async () => {
  await fx?.cleanup();
  await redis?.stop();
});

const health = async (p: RunningProxy) => (await (await fetch(`${p.url}/health`)).json()) as { status: string; degraded: string[]; countersDegraded: boolean; breakerDegraded: boolean };
const ready = async (p: RunningProxy) => {
  const response = await fetch(`${p.url}/ready`);
  return { status: response.status, degraded: ((await response.json()) as { degraded: string[] }).degraded };
};
const reasons = (degraded: string[]) => degraded.map((d) => d.split(":")[0]);
const METRICS_TOKEN = "metrics-token-0123456789";
/** The two degraded gauges of /metrics: [counters, breaker]. */
const degradedGauges = async (p: RunningProxy) => {
  const text = await (await fetch(`${p.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  return ["gateway_counters_degraded", "gateway_breaker_degraded"].map((name) => text.match(new RegExp(`^${name} (\\d+)$`, "m"))?.[1] ?? "absent");
};

test("Redis unreachable from the start: /health lists counters and breaker before any request; /ready stays 200", async () => {
  const proxy = await fx.startProxy({ redisUrl: `redis://127.0.0.1:${freePort()}`, dataDir: fx.freshDataDir(), metricsToken: METRICS_TOKEN });
  const h = await health(proxy);
  expect(h.status).toBe("degraded");
  expect(reasons(h.degraded)).toEqual(["counters", "breaker"]);
  expect(h).toMatchObject({ countersDegraded: true, breakerDegraded: true });
  expect(await ready(proxy)).toEqual({ status: 200, degraded: ["counters", "breaker"] });
  expect(await degradedGauges(proxy)).toEqual(["1", "1"]);
}, 30_000);

test("Redis killed while only keys without limits are used: /health lists the breaker", async () => {
  const proxy = await fx.startProxy({ redisUrl: redis.url, dataDir: fx.freshDataDir(), metricsToken: METRICS_TOKEN });
  const ask = () => fx.client(proxy).chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
  await ask();
  expect((await health(proxy)).status).toBe("ok");
  expect(await degradedGauges(proxy)).toEqual(["0", "0"]);
  await redis.stop();
  for (let i = 0; i < 3; i++) await ask();
  const h = await health(proxy);
  expect(h.status).toBe("degraded");
  expect(reasons(h.degraded)).toContain("breaker");
  expect(h.breakerDegraded).toBe(true);
  expect(await degradedGauges(proxy)).toEqual(["0", "1"]);
}, 30_000);
