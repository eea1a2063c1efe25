/**
 * Keep-alive connections during a graceful stop, seen on the wire: once the stop began, every answer
 * carries `Connection: close` and the proxy closes the connection after it, so a pooled client
 * reconnects (to another replica) instead of sending its next request to the one that is stopping.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect } from "node:net";
import { rawExchange } from "../test/support/raw-http.ts";
import { createProxyFixture, waitFor, type ProxyFixture } from "./testing/proxy-fixture.ts";
import type { RunningProxy } from "./main.ts";

let fx: ProxyFixture;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
});
afterAll(() => fx.cleanup());

/** One TCP connection kept open: requests are written on it one after another. */
async function keepAliveConnection(port: number) {
  const socket = connect({ port, host: "127.0.0.1" });
  let received = "";
  let closed = false;
  socket.on("data", (chunk) => (received += chunk));
  socket.on("close", () => (closed = true));
  socket.on("error", () => {});
  await new Promise((resolve) => socket.on("connect", resolve));
  return {
    /** Writes `bytes` and returns the head (status line and headers, lower case) of the answer it gets. */
    async exchange(bytes: string): Promise<string> {
      received = "";
      socket.write(bytes);
      await waitFor(() => received.includes("\r\n\r\n"), "an answer on the kept connection");
      return received.slice(0, received.indexOf("\r\n\r\n")).toLowerCase();
    },
    closed: () => closed,
    destroy: () => socket.destroy(),
  };
}

const post = (body: Record<string, unknown>, requestId: string) => {
  const json = JSON.stringify(body);
  return `POST /v1/chat/completions HTTP/1.1\r\nHost: proxy\r\nAuthorization: Bearer ${fx.keys.main}\r\nX-Request-Id: ${requestId}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
};
const hang = (requestId: string) => post({ model: "hang", messages: [{ role: "user", content: "hi" }] }, requestId);

/**
 * Starts the stop with a hanging request in flight, so the proxy keeps listening until its grace period
 * ends; resolves once it refuses work. `graceOver()` tells when the stop has ended that request.
 */
async function stopWithWorkInFlight(proxy: RunningProxy, requestId: string): Promise<{ stopped: Promise<void>; graceOver: () => boolean }> {
  const calls = fx.vendor.calls("hang");
  let ended = false;
  void rawExchange(proxy.port, hang(requestId), 10_000).then(() => (ended = true));
  await waitFor(() => fx.vendor.calls("hang") === calls + 1, "the hanging request reached its vendor");
  const stopped = proxy.stop();
  await waitFor(async () => (await fetch(`${proxy.url}/ready`)).status === 503, "/ready 503");
  return { stopped, graceOver: () => ended };
}

test("after the stop began, a request on a kept-alive connection gets its 503 shutting_down with Connection: close, and the connection is closed after it", async () => {
  const proxy = await fx.startProxy({ shutdownGraceMs: 3_000, dataDir: fx.freshDataDir() });
  const connection = await keepAliveConnection(proxy.port);
  try {
    expect(await connection.exchange("GET /v1/models HTTP/1.1\r\nHost: proxy\r\nAuthorization: Bearer " + fx.keys.main + "\r\n\r\n")).toStartWith("http/1.1 200");
    const { stopped, graceOver } = await stopWithWorkInFlight(proxy, "keeps-the-grace-period-1");
    const head = await connection.exchange(post({ model: "chat", messages: [{ role: "user", content: "hi" }] }, "on-kept-connection"));
    expect(head).toStartWith("http/1.1 503");
    expect(head).toContain("\r\nconnection: close");
    expect(head).toContain("\r\nretry-after: 1");
    await waitFor(() => connection.closed(), "the proxy closed the kept connection");
    // Closed after its answer, not by the stop's end.
    expect(graceOver()).toBe(false);
    // A new connection is answered the same way (the proxy still listens: /ready says 503 to the balancer).
    const fresh = (await rawExchange(proxy.port, post({ model: "chat", messages: [{ role: "user", content: "hi" }] }, "on-new-connection"))).toLowerCase();
    expect(fresh).toStartWith("http/1.1 503");
    expect(fresh).toContain("\r\nconnection: close");
    expect(fresh).toContain('"code":"shutting_down"');
    await stopped;
  } finally {
    connection.destroy();
    await proxy.stop();
  }
});

test("a request in flight when the stop began is answered with Connection: close, and its connection is closed after the answer", async () => {
  const proxy = await fx.startProxy({ shutdownGraceMs: 3_000, dataDir: fx.freshDataDir() });
  const connection = await keepAliveConnection(proxy.port);
  try {
    const calls = fx.vendor.calls("slow");
    // The vendor answers 10 words after 500 ms.
    const answer = connection.exchange(post({ model: "slow", messages: [{ role: "user", content: "a b c d e f g h i j" }] }, "in-flight-at-stop"));
    await waitFor(() => fx.vendor.calls("slow") === calls + 1, "the slow request reached its vendor");
    const { stopped, graceOver } = await stopWithWorkInFlight(proxy, "keeps-the-grace-period-2");
    const head = await answer;
    expect(head).toStartWith("http/1.1 200");
    expect(head).toContain("\r\nconnection: close");
    await waitFor(() => connection.closed(), "the proxy closed the connection after its answer");
    // Closed after its answer while the proxy still waits on the hanging request, not by the stop's end.
    expect(graceOver()).toBe(false);
    await stopped;
  } finally {
    connection.destroy();
    await proxy.stop();
  }
});

test("an idle kept-alive connection is closed as soon as the in-flight work is done, before the grace period ends", async () => {
  const proxy = await fx.startProxy({ shutdownGraceMs: 60_000, dataDir: fx.freshDataDir() });
  const connection = await keepAliveConnection(proxy.port);
  try {
    expect(await connection.exchange("GET /health HTTP/1.1\r\nHost: proxy\r\n\r\n")).toStartWith("http/1.1 200");
    await proxy.stop();
    await waitFor(() => connection.closed(), "the idle connection closed");
  } finally {
    connection.destroy();
    await proxy.stop();
  }
});
