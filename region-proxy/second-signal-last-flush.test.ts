/**
 * A second signal (stopNow) that lands while a graceful stop is in the usage outbox's last flush, the
 * control plane not answering it: the stop is hurried there too, as before it, waiting only for the
 * events to be committed (they ship at the next start), not for the flush's own bound (3 s).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { lockOutboxDir } from "./kv/data-dir-lock.ts";
import { startBlackHole } from "./testing/black-hole-server.ts";
import { createProxyFixture, waitFor, type ProxyFixture } from "./testing/proxy-fixture.ts";

let fx: ProxyFixture;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
});
afterAll(() => fx.cleanup());

test("a second signal during the outbox's last flush ends the stop once the events are committed, and they ship at the next start", async () => {
  // The control plane as the proxy sees it: the fixture's origin, except that it takes usage POSTs and never answers them.
  const controlPlane = startBlackHole(fx.origin.url);
  const dataDir = fx.freshDataDir();
  try {
    const proxy = await fx.startProxy({ controlPlaneUrl: controlPlane.url, dataDir, usageFlushMs: 60_000 });
    const answer = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}`, "x-request-id": "flushed-at-second-signal" },
      body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(answer.status).toBe(200);
    await answer.text();
    const stopping = proxy.stop();
    // Nothing in flight: the stop is at once in the outbox's last flush, which the control plane holds.
    await waitFor(() => controlPlane.posts() === 1, "the last flush sent");
    const hurriedAt = performance.now();
    await proxy.stopNow("second signal (SIGINT)");
    await stopping;
    expect(performance.now() - hurriedAt).toBeLessThan(1_500);
    expect(fx.logs.some((line) => line.startsWith("shutdown: second signal (SIGINT): not waiting"))).toBe(true);
  } finally {
    await controlPlane.stop();
  }
  // The abandoned flush ends (the black hole's stop answers its POST 503; else its own 3 s bound), closes
  // KV and gives the data dir's outbox lock back; the next proxy on it ships the event. Until then the
  // lock cannot be taken.
  await waitFor(() => {
    try {
      lockOutboxDir(dataDir).release();
      return true;
    } catch {
      return false;
    }
  }, "the abandoned flush gave the data dir back", 10_000);
  const next = await fx.startProxy({ dataDir });
  await waitFor(() => fx.origin.events().some((e) => e.requestId === "flushed-at-second-signal"), "the event shipped by the next start", 5_000);
  await next.stop();
}, 20_000);
