import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeOpenAI, type FakeOpenAI } from "../../test/fakes/openai.ts";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../testing/proxy-fixture.ts";

// Two replicas of one region on one Redis prefix share the breaker: failures seen by one open the
// circuit for both, and after the cool-down a probe closes it again for both.
let fx: ProxyFixture;
let redis: TestRedis;
let vendor: FakeOpenAI;
let a: RunningProxy;
let b: RunningProxy;
const COOL_DOWN_MS = 400;

beforeAll(async () => {
  fx = await createProxyFixture();
  redis = await createTestRedis();
  vendor = await startFakeOpenAI({ apiKey: "sk-openai-fake" });
  await fx.publish(
    fx.snapshot(1, (s) => {
      const dep = (id: string, model: string) => ({ id, provider: "openai" as const, baseUrl: `${vendor.url}/v1`, model, region: REGION, credentialRef: "env:OPENAI_KEY" });
      s.deployments.dep_flaky = dep("dep_flaky", "flaky-1");
      s.deployments.dep_backup = dep("dep_backup", "backup-1");
      s.aliases.flaky = { name: "flaky", chain: ["dep_flaky", "dep_backup"] };
    }),
  );
  const config = { redisUrl: redis.url, breaker: { failureThreshold: 2, coolDownMs: COOL_DOWN_MS, prefix: redis.prefix }, credentials: { OPENAI_KEY: "sk-openai-fake" } };
  a = await fx.startProxy(config);
  b = await fx.startProxy({ ...config, dataDir: fx.freshDataDir() });
});
afterAll(async () => {
  await fx.cleanup();
  await vendor.stop();
  await redis.cleanup();
});

const ask = (proxy: RunningProxy) => fx.client(proxy).chat.completions.create({ model: "flaky", messages: [{ role: "user", content: "hi" }] }).withResponse();

test("failures on one replica open the breaker for both; after the cool-down a probe closes it", async () => {
  vendor.setOutage("flaky-1", 503);
  const first = await ask(a);
  expect(first.response.headers.get("x-gateway-fallback")).toBe("true");
  expect(vendor.callsFor("flaky-1")).toBe(2); // one call and one retry: threshold 2 reached
  // One circuit for the deployment, named by its id and what it calls (circuit-key.ts).
  expect(await redis.client.keys(`${redis.prefix}br:dep_flaky#*`)).toHaveLength(1);

  const second = await ask(b);
  expect(second.response.headers.get("x-gateway-attempts")).toBe("1");
  expect(second.response.headers.get("x-gateway-model")).toBe("backup-1");
  expect(vendor.callsFor("flaky-1")).toBe(2); // b never called the open deployment

  vendor.setOutage("flaky-1", null);
  await Bun.sleep(COOL_DOWN_MS + 100);
  const probe = await ask(b);
  expect(probe.response.headers.get("x-gateway-fallback")).toBe("false");
  expect(vendor.callsFor("flaky-1")).toBe(3);
  const after = await ask(a);
  expect(after.response.headers.get("x-gateway-model")).toBe("flaky-1");
  expect(vendor.callsFor("flaky-1")).toBe(4);
});
