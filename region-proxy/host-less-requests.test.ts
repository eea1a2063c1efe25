/**
 * Requests without a usable Host (HTTP/1.0 with no Host, which RFC 9112 allows and HAProxy's default
 * `option httpchk` sends; an empty Host) reach the handler with a relative `request.url`
 * ("/v1/models"): they are routed by that path like any other, over a raw socket.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { rawExchange } from "../test/support/raw-http.ts";
import type { RunningProxy } from "./main.ts";
import { startProxyOnBaseSnapshot, type ProxyFixture } from "./testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => {
  ({ fx, proxy } = await startProxyOnBaseSnapshot());
});
afterAll(() => fx?.cleanup());

const exchange = (bytes: string) => rawExchange(proxy.port, bytes);
const statusOf = (answer: string) => answer.slice(0, 12);
const chat = JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] });

test("HTTP/1.0 POST /v1/chat/completions without Host is answered, not 404", async () => {
  const answer = await exchange(`POST /v1/chat/completions HTTP/1.0\r\nAuthorization: Bearer ${fx.keys.main}\r\nContent-Type: application/json\r\nContent-Length: ${chat.length}\r\n\r\n${chat}`);
  expect(statusOf(answer)).toBe("HTTP/1.1 200");
  expect(answer).toContain('"Echo: hi"');
});

test("HTTP/1.0 GET /v1/models and /v1/models/chat without Host are answered, not 404", async () => {
  expect(statusOf(await exchange(`GET /v1/models HTTP/1.0\r\nAuthorization: Bearer ${fx.keys.main}\r\n\r\n`))).toBe("HTTP/1.1 200");
  expect(statusOf(await exchange(`GET /v1/models/chat HTTP/1.0\r\nAuthorization: Bearer ${fx.keys.main}\r\n\r\n`))).toBe("HTTP/1.1 200");
});

test("a load balancer's HTTP/1.0 health check without Host (HAProxy's default httpchk) sees /health", async () => {
  expect(statusOf(await exchange(`GET /health HTTP/1.0\r\n\r\n`))).toBe("HTTP/1.1 200");
});

test("an HTTP/1.1 request with an empty Host is routed by its path", async () => {
  expect(statusOf(await exchange(`GET /v1/models HTTP/1.1\r\nHost: \r\nAuthorization: Bearer ${fx.keys.main}\r\nConnection: close\r\n\r\n`))).toBe("HTTP/1.1 200");
});

test("a path that is not a route is not served as one because its first segment was dropped", async () => {
  const answer = await exchange(`GET /not-a-route/v1/models HTTP/1.0\r\nAuthorization: Bearer ${fx.keys.main}\r\n\r\n`);
  expect(statusOf(answer)).toBe("HTTP/1.1 404");
});
