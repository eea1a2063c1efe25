/**
 * A request whose body is still arriving when a graceful stop's grace period ends: it is work in flight
 * like any other, so the stop ends it with an answer (503 shutting_down, Retry-After, Connection:
 * close: the client, an SDK, retries it on another replica), not a silent close of its connection.
 * A body that arrives within the grace period is served as usual. Over real TCP sockets.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { timedExchange } from "../test/support/raw-http.ts";
import { createProxyFixture, type ProxyFixture } from "./testing/proxy-fixture.ts";

let fx: ProxyFixture;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
});
afterAll(() => fx.cleanup());

const BODY = JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi there" }] });
const head = (requestId: string) =>
  `POST /v1/chat/completions HTTP/1.1\r\nHost: proxy\r\nAuthorization: Bearer ${fx.keys.main}\r\nX-Request-Id: ${requestId}\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n`;

test("a body still trickling in when the grace period ends is answered 503 shutting_down with Retry-After and Connection: close, not cut off", async () => {
  const proxy = await fx.startProxy({ shutdownGraceMs: 300, usageFlushMs: 60_000 });
  // One byte every 200 ms: the whole body would take ~16 s, far past the grace period (and before the body deadline, 60 s).
  const exchange = timedExchange(proxy.port, head("trickling-at-stop") + BODY[0], BODY.slice(1).split(""), 200, 8_000);
  await Bun.sleep(300);
  const started = performance.now();
  await proxy.stop();
  expect(performance.now() - started).toBeLessThan(4_000);
  const { received, closed } = await exchange;
  expect(received).toStartWith("HTTP/1.1 503");
  const [headers, body] = received.split("\r\n\r\n");
  expect(headers!.toLowerCase()).toContain("retry-after: 1");
  expect(headers!.toLowerCase()).toContain("connection: close");
  expect(headers!.toLowerCase()).toContain("x-request-id: trickling-at-stop");
  expect(JSON.parse(body!)).toEqual({ error: { message: "The gateway is shutting down; retry.", type: "server_error", param: null, code: "shutting_down" } });
  expect(closed).toBe(true);
});

test("a body that is whole within the grace period is served, its answer closing the connection", async () => {
  const proxy = await fx.startProxy({ shutdownGraceMs: 3_000, usageFlushMs: 60_000 });
  const exchange = timedExchange(proxy.port, head("whole-within-grace") + BODY.slice(0, 5), [BODY.slice(5)], 600, 8_000);
  await Bun.sleep(200);
  await proxy.stop();
  const { received, closed } = await exchange;
  expect(received).toStartWith("HTTP/1.1 200");
  expect(received.toLowerCase()).toContain("connection: close");
  expect(received).toContain('"chat.completion"');
  expect(closed).toBe(true);
});
