/**
 * A request body must arrive within BODY_READ_TIMEOUT_MS of the request reaching its route (nginx's
 * client_body_timeout, Envoy's request_timeout): Bun's idle timer restarts at every byte, so a client
 * trickling its body (or stalling mid-way, up to the idle limit) held a socket and a request slot
 * for as long as it liked. Past the deadline: an OpenAI-shaped 408
 * `request_timeout`, and the connection closed. Over real TCP sockets.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { timedExchange, type TimedExchange } from "../test/support/raw-http.ts";
import type { RunningProxy } from "./main.ts";
import { startProxyOnBaseSnapshot, type ProxyFixture } from "./testing/proxy-fixture.ts";

const DEADLINE_MS = 1_000;
let fx: ProxyFixture;
let proxy: RunningProxy;

beforeAll(async () => {
  ({ fx, proxy } = await startProxyOnBaseSnapshot({ bodyReadTimeoutMs: DEADLINE_MS }));
});
afterAll(() => fx?.cleanup());

const head = (framing: string) =>
  `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${fx.keys.main}\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`;
const BODY = JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] });

function expect408(exchange: TimedExchange) {
  expect(exchange.received).toStartWith("HTTP/1.1 408");
  const [headers, body] = exchange.received.split("\r\n\r\n");
  expect(headers!.toLowerCase()).toContain("connection: close");
  const error = (JSON.parse(body!) as { error: { code: string; type: string; message: string } }).error;
  expect(error.code).toBe("request_timeout");
  expect(error.type).toBe("invalid_request_error");
  expect(error.message).toContain("1 s");
  expect(exchange.closed).toBe(true);
  // Answered at the deadline, not at the idle timer's (125 s) or never.
  expect(exchange.afterMs).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
  expect(exchange.afterMs).toBeLessThan(DEADLINE_MS + 1_500);
}

test("a declared body trickled a byte at a time, never finished, gets a 408 at the deadline and its connection closed", async () => {
  const pieces = Array.from({ length: 40 }, () => "{");
  expect408(await timedExchange(proxy.port, head(`Content-Length: ${BODY.length + 100}`), pieces, 100, 4_000));
}, 10_000);

test("a declared body that stalls mid-way gets the 408 at the deadline, not after the idle timeout", async () => {
  expect408(await timedExchange(proxy.port, head(`Content-Length: ${BODY.length}`) + BODY.slice(0, 10), [], 0, 4_000));
}, 10_000);

test("a chunked body trickled a chunk at a time gets the 408 too", async () => {
  const pieces = Array.from({ length: 40 }, () => "1\r\n \r\n");
  expect408(await timedExchange(proxy.port, head("Transfer-Encoding: chunked"), pieces, 100, 4_000));
}, 10_000);

test("a body that arrives slowly but within the deadline is served", async () => {
  const pieces = BODY.match(/.{1,20}/g)!;
  const served = await timedExchange(proxy.port, head(`Content-Length: ${BODY.length}\r\nConnection: close`), pieces, 400 / pieces.length, 5_000);
  expect(served.received).toStartWith("HTTP/1.1 200");
}, 10_000);
