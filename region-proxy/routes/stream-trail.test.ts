/**
 * A stream's step in the attempt trail tells how the call ended, not only that it was committed: a
 * stream that breaks after its first chunk, or whose client leaves, is no "ok" step in the usage event
 * (nor in gateway_vendor_attempts_total, which counts the trail's steps).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
const METRICS_TOKEN = "scrape-stream-trail-0123456789";
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1, (s) => void (s.pricing["openai:drop"] = PRICE)));
  proxy = await fx.startProxy({ firstByteTimeoutMs: 2_000, metricsToken: METRICS_TOKEN });
});
afterAll(() => fx.cleanup());

async function eventFor(id: string | null) {
  await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
  return fx.origin.events().find((e) => e.requestId === id)!;
}

const post = (model: string, content: string, signal?: AbortSignal) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content }], stream: true }),
    signal,
  });

test("a stream the vendor breaks after its first chunk: its step is an error with the reason the event gives", async () => {
  const response = await post("drop", "one two three four");
  await response.text();
  const event = await eventFor(response.headers.get("x-request-id"));
  expect(event.status).toBe("error");
  expect(event.errorCode).toBe("upstream_invalid_response");
  expect(event.attemptTrail!.map((s) => [s.deploymentId, s.outcome, s.reason])).toEqual([["dep_drop", "error", "upstream_invalid_response"]]);
  const metrics = await fetch(`${proxy.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }).then((r) => r.text());
  expect(metrics).toMatch(/gateway_vendor_attempts_total\{[^}]*deployment="dep_drop"[^}]*outcome="error"/);
  expect(metrics).not.toMatch(/gateway_vendor_attempts_total\{[^}]*deployment="dep_drop"[^}]*outcome="ok"/);
});

test("a stream its client leaves mid-way: its step says client_closed; a stream read to its end stays ok", async () => {
  const controller = new AbortController();
  const response = await post("slow", "one two three four five six seven eight", controller.signal);
  const reader = response.body!.getReader();
  let seen = "";
  while (!seen.includes('"content":"Echo:')) seen += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  const left = await eventFor(response.headers.get("x-request-id"));
  expect(left.status).toBe("client_closed");
  expect(left.attemptTrail!.map((s) => [s.outcome, s.reason])).toEqual([["error", "client_closed"]]);

  const whole = await post("chat", "hello");
  await whole.text();
  const done = await eventFor(whole.headers.get("x-request-id"));
  expect(done.status).toBe("ok");
  expect(done.attemptTrail!.map((s) => [s.outcome, s.reason])).toEqual([["ok", null]]);
});
