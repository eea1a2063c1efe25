/**
 * A deployment's own timeouts.totalMs may be longer than the proxy's default total: its half-open probe
 * must hold the slot that long. Held only for the default, a probe still in flight lost its slot and
 * one more request went through as a second probe every default period (with Redis, on any replica).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../testing/proxy-fixture.ts";

const DEFAULT_TOTAL_MS = 1_000;
const DEPLOYMENT_TOTAL_MS = 10_000;
const PROBE_CALL_MS = 3_000;
const COOL_DOWN_MS = 300;

/** An OpenAI-shaped vendor: the first call fails (opening the breaker at threshold 1), later ones answer after PROBE_CALL_MS. */
function slowAfterFailureVendor() {
  let calls = 0;
  let inFlight = 0;
  const stats = { calls: () => calls, maxInFlight: 0 };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    async fetch() {
      calls++;
      if (calls === 1) return Response.json({ error: { message: "The server had an error", type: "server_error", param: null, code: null } }, { status: 500 });
      inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
      await Bun.sleep(PROBE_CALL_MS);
      inFlight--;
      return Response.json({ id: "chatcmpl-1", object: "chat.completion", created: 1, model: "slow-1", choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
    },
  });
  return { server, stats };
}

let fx: ProxyFixture;
let redis: TestRedis;
const vendors: ReturnType<typeof slowAfterFailureVendor>[] = [];

beforeAll(async () => {
  fx = await createProxyFixture();
  redis = await createTestRedis();
  vendors.push(slowAfterFailureVendor(), slowAfterFailureVendor());
  await fx.publish(
    fx.snapshot(1, (s) => {
      vendors.forEach(({ server }, i) => {
        const id = `dep_slow${i}`;
        s.deployments[id] = { id, provider: "openai", baseUrl: `http://127.0.0.1:${server.port}/v1`, model: "slow-1", region: REGION, credentialRef: "env:OPENAI_KEY", timeouts: { totalMs: DEPLOYMENT_TOTAL_MS } };
        s.aliases[`slow${i}`] = { name: `slow${i}`, chain: [id] };
      });
    }),
  );
});
afterAll(async () => {
  for (const { server } of vendors) server.stop(true);
  await fx.cleanup();
  await redis.cleanup();
});

const config = { totalTimeoutMs: DEFAULT_TOTAL_MS, credentials: { OPENAI_KEY: "sk-openai-fake" } };

/** The status each request ends with: 200, or the gateway's error status. */
function asker(proxy: RunningProxy, alias: string) {
  const client = fx.client(proxy, undefined, { timeout: 30_000, maxRetries: 0 });
  return () => client.chat.completions.create({ model: alias, messages: [{ role: "user", content: "x" }] }).then(() => 200, (error: { status?: number }) => error.status ?? 0);
}

/** Opens the breaker, starts the probe, and 1.5 s later (past the default total) sends a second request. */
async function probeThenSecond(first: () => Promise<number>, second: () => Promise<number>): Promise<number[]> {
  expect(await first()).toBe(502); // the 500 opens the circuit (threshold 1)
  await Bun.sleep(COOL_DOWN_MS + 100); // half-open
  const probe = first();
  await Bun.sleep(DEFAULT_TOTAL_MS * 1.5);
  return Promise.all([probe, second()]);
}

test("in process: while a probe runs past the default total (its deployment's is 10 s), no second probe is let through", async () => {
  const proxy = await fx.startProxy({ ...config, breaker: { failureThreshold: 1, coolDownMs: COOL_DOWN_MS } });
  const ask = asker(proxy, "slow0");
  const [probe, second] = await probeThenSecond(ask, ask);
  expect(probe).toBe(200);
  expect(second).toBe(503); // skipped: the half-open slot is the probe's
  expect(vendors[0]!.stats.maxInFlight).toBe(1);
  expect(vendors[0]!.stats.calls()).toBe(2);
}, 30_000);

test("shared through Redis: a second replica does not probe while the first replica's probe runs past the default total", async () => {
  const shared = { ...config, redisUrl: redis.url, breaker: { failureThreshold: 1, coolDownMs: COOL_DOWN_MS, prefix: redis.prefix } };
  const a = await fx.startProxy({ ...shared, dataDir: fx.freshDataDir() });
  const b = await fx.startProxy({ ...shared, dataDir: fx.freshDataDir() });
  const [probe, second] = await probeThenSecond(asker(a, "slow1"), asker(b, "slow1"));
  expect(probe).toBe(200);
  expect(second).toBe(503);
  expect(vendors[1]!.stats.maxInFlight).toBe(1);
  expect(vendors[1]!.stats.calls()).toBe(2);
}, 30_000);
