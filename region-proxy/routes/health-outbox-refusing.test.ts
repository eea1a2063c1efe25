/**
 * A real proxy whose usage outbox refuses events says so on /health ("degraded", still 200): at its
 * cap, then for the event it refused. (Failed commits, as on a full disk, raise the same dropped count:
 * health.test.ts; outbox-thread-lose.test.ts drives real KV commits that fail.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createProxyFixture, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
});
afterAll(() => fx.cleanup());

interface Health {
  status: string;
  degraded: string[];
  usageOutbox: { storedEvents: number; droppedEvents: number };
}
const healthOf = async (url: string) => (await (await fetch(`${url}/health`)).json()) as Health;
const chat = async (url: string, i: number) => {
  const response = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${fx.keys.main}` }, body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: `hello ${i} ${crypto.randomUUID()}` }] }) });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
};

test("at its cap the outbox makes /health degraded: the cap, then the event it refused", async () => {
  const proxy = await fx.startProxy({ dataDir: fx.freshDataDir(), usageOutboxMaxEvents: 2, usageFlushMs: 60_000 });
  expect(await healthOf(proxy.url)).toMatchObject({ status: "ok", degraded: [] });
  for (let i = 0; i < 2; i++) await chat(proxy.url, i);
  await waitFor(async () => (await healthOf(proxy.url)).usageOutbox.storedEvents === 2, "two events stored");
  const full = await healthOf(proxy.url);
  expect(full.status).toBe("degraded");
  expect(full.degraded).toEqual([expect.stringContaining("holds its limit of 2 events")]);
  await chat(proxy.url, 2);
  await waitFor(async () => (await healthOf(proxy.url)).usageOutbox.droppedEvents === 1, "the third event refused");
  expect((await healthOf(proxy.url)).degraded).toEqual([expect.stringContaining("holds its limit"), expect.stringContaining("1 usage events dropped in the last minute")]);
  await proxy.stop();
});
