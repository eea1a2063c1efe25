/**
 * A request that arrives once a graceful stop began is refused 503 shutting_down before any route runs
 * (server.ts): it is counted by code in gateway_refusals_total, as a body still arriving when the grace
 * period ends is (admit-request.ts), not only among the answers by status.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createProxyFixture, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

const TOKEN = "metrics-token-0123456789";
let fx: ProxyFixture;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
});
afterAll(() => fx.cleanup());

const value = (text: string, prefix: string) => Number(text.split("\n").find((l) => l.startsWith(prefix))?.split(" ").pop() ?? 0);

test("a request refused because the stop began is counted in gateway_refusals_total{code=\"shutting_down\"}", async () => {
  const proxy = await fx.startProxy({ metricsToken: TOKEN, shutdownGraceMs: 3_000, usageFlushMs: 60_000 });
  const auth = { authorization: `Bearer ${fx.keys.main}` };
  // Holds the stop in its grace period, so the proxy still listens.
  const held = fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: auth, body: JSON.stringify({ model: "hang", messages: [{ role: "user", content: "hi" }] }) }).catch((e) => e);
  await waitFor(() => fx.vendor.calls("hang") === 1, "vendor called");
  const stopped = proxy.stop();
  const late = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: auth, body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] }) });
  expect(late.status).toBe(503);
  expect((await late.json()).error.code).toBe("shutting_down");
  const text = await (await fetch(`${proxy.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  expect(value(text, 'gateway_http_requests_total{route="/v1/chat/completions",status="503"}')).toBe(1);
  expect(value(text, 'gateway_refusals_total{code="shutting_down"}')).toBe(1);
  await stopped;
  await held;
});
