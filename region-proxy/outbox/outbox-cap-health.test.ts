import { afterAll, beforeAll, expect, test } from "bun:test";
import { loadConfig } from "../config.ts";
import { createProxyFixture, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
});
afterAll(() => fx.cleanup());

interface OutboxHealth {
  storedEvents: number;
  maxStoredEvents: number;
  droppedEvents: number;
  corruptEntries: number;
}
const outboxHealth = async (url: string) => ((await (await fetch(`${url}/health`)).json()) as { usageOutbox: OutboxHealth }).usageOutbox;

test("USAGE_OUTBOX_MAX_EVENTS is read like the other settings", () => {
  const env = { REGION: "eu", CONTROL_PLANE_URL: "http://127.0.0.1:4000", REGION_TOKEN: "t", TRUSTED_JWKS: JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", x: "TOhVR9fBlGropP6VRZm1d4Zm_2eZRGmCYrNxc_As5IU", kid: "k1" }] }), DATA_DIR: "/tmp/p" };
  expect(loadConfig({ ...env, USAGE_OUTBOX_MAX_EVENTS: "5000" }).usageOutboxMaxEvents).toBe(5000);
  expect(loadConfig(env).usageOutboxMaxEvents).toBeUndefined();
  expect(() => loadConfig({ ...env, USAGE_OUTBOX_MAX_EVENTS: "0" })).toThrow("USAGE_OUTBOX_MAX_EVENTS must be a positive decimal integer");
});

test("/health shows the outbox backlog and the events refused at its cap, each refusal logged with its ids", async () => {
  // Nothing ships in this test: the backlog only grows, as while the control plane is down.
  const proxy = await fx.startProxy({ dataDir: fx.freshDataDir(), usageOutboxMaxEvents: 2, usageFlushMs: 60_000 });
  expect(await outboxHealth(proxy.url)).toMatchObject({ storedEvents: 0, maxStoredEvents: 2, droppedEvents: 0, corruptEntries: 0, threadRunning: true, threadRestarts: 0 });
  const requestIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}` },
      body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: `hello ${i}` }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
    requestIds.push(res.headers.get("x-request-id")!);
    // One batch per request: the third arrives once two are stored.
    await waitFor(async () => (await outboxHealth(proxy.url)).storedEvents + (await outboxHealth(proxy.url)).droppedEvents === i + 1, `event ${i} answered`);
  }
  expect(await outboxHealth(proxy.url)).toMatchObject({ storedEvents: 2, maxStoredEvents: 2, droppedEvents: 1, corruptEntries: 0 });
  const refused = fx.logs.filter((line) => line.includes(`request ${requestIds[2]}: usage event evt_`) && line.includes("could not be written") && line.includes("USAGE_OUTBOX_MAX_EVENTS"));
  expect(refused).toHaveLength(1);
  expect(fx.logs.some((line) => line.includes(`request ${requestIds[0]}: usage event`))).toBe(false);
  await proxy.stop();
});
