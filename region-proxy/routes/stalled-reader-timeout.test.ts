/**
 * A streaming client that stops reading (its socket full, the connection still open) while the vendor
 * keeps sending: the proxy's backpressure holds the vendor, and at the deployment's total timeout the
 * proxy aborts the vendor call. The client never closed anything; the request ended on the gateway's
 * own deadline. Its usage event must say so (upstream_timeout, trail reason timeout_*), not
 * client_closed, which the issue reserves for "a client that disconnects".
 * Before: status/errorCode client_closed, trail reason client_closed, written only when Bun's
 * idle timer closes the connection (total + 5 s).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
let vendor: ReturnType<typeof Bun.serve>;
let vendorAborted = false;

beforeAll(async () => {
  const piece = `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "fast", choices: [{ index: 0, delta: { content: "x".repeat(200) }, finish_reason: null }] })}\n\n`;
  const block = new TextEncoder().encode(piece.repeat(200));
  vendor = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      await req.text();
      req.signal.addEventListener("abort", () => (vendorAborted = true));
      // Endless: 200 chunks per pull, as fast as the proxy reads.
      return new Response(new ReadableStream({ pull: (c) => c.enqueue(block) }), { headers: { "content-type": "text/event-stream" } });
    },
  });
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.dep_fast = { id: "dep_fast", provider: "openai", baseUrl: `http://127.0.0.1:${vendor.port}/v1`, model: "fast", region: REGION, credentialRef: "env:ECHO_KEY" };
      s.aliases.fast = { name: "fast", chain: ["dep_fast"] };
    }),
  );
  proxy = await fx.startProxy({ totalTimeoutMs: 2_000 });
});
afterAll(async () => {
  await fx.cleanup();
  vendor.stop(true);
});

test("a stream cut by the total timeout while the client stopped reading is settled as a timeout, not client_closed", async () => {
  const u = new URL(proxy.url);
  const body = JSON.stringify({ model: "fast", stream: true, messages: [{ role: "user", content: "hi" }] });
  const socket: Socket = await new Promise((resolve) => {
    const s = connect({ host: u.hostname, port: Number(u.port) }, () => {
      s.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${fx.keys.main}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      s.pause(); // never reads: the connection stays open
      resolve(s);
    });
    s.on("error", () => {});
  });
  try {
    await waitFor(() => vendorAborted, "the vendor call aborted at the total timeout", 6_000);
    await waitFor(() => fx.origin.events().length > 0, "the usage event", 15_000);
    const event = fx.origin.events()[0] as UsageEvent;
    // What the gateway did: its deadline ended the call (upstream_timeout, as for a reading client).
    expect({ status: event.status, errorCode: event.errorCode, reason: event.attemptTrail?.[0]?.reason }).not.toEqual({ status: "client_closed", errorCode: "client_closed", reason: "client_closed" });
    expect(event.errorCode).toBe("upstream_timeout");
  } finally {
    socket.destroy();
  }
}, 30_000);
