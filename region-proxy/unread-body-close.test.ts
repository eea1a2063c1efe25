/**
 * An answer given before the request's body was read to its end (a declared body over the limit, a
 * refused key, a chunked body cut off past the limit) closes its connection: the client may still be
 * sending the body, and a connection left open with it unread held the proxy's graceful stop for its
 * whole grace period.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect } from "node:net";
import type { RunningProxy } from "./main.ts";
import { createProxyFixture, type ProxyFixture } from "./testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
const MAX_BODY = 4096;
const GRACE_MS = 5_000;

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
  proxy = await fx.startProxy({ maxBodyBytes: MAX_BODY, shutdownGraceMs: GRACE_MS });
});
afterAll(() => fx.cleanup());

const bigBody = JSON.stringify({ model: "chat", messages: [{ role: "user", content: "x".repeat(2 * 1024 * 1024) }] });

test("a 413 on a declared body over the limit says Connection: close", async () => {
  const answer = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" }, body: bigBody });
  expect(answer.status).toBe(413);
  expect(answer.headers.get("connection")).toBe("close");
  await answer.text();
});

test("a 413 on a chunked body over the limit, the client still sending, says Connection: close", async () => {
  const url = new URL(proxy.url);
  const head = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${fx.keys.main}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const piece = "x".repeat(2 * MAX_BODY);
      socket.write(`${piece.length.toString(16)}\r\n${piece}\r\n`); // more chunks would follow: never ends
    });
    let got = "";
    socket.on("data", (d) => {
      got += d.toString();
      if (!got.includes("\r\n\r\n")) return;
      resolve(got.slice(0, got.indexOf("\r\n\r\n")));
      socket.destroy();
    });
    socket.on("error", reject);
  });
  expect(head).toStartWith("HTTP/1.1 413");
  expect(head.toLowerCase()).toContain("connection: close");
});

test("a 401 given before a large body was read says Connection: close; one after reading it does not", async () => {
  const refused = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: { authorization: "Bearer gwk_wrong", "content-type": "application/json" }, body: bigBody });
  expect(refused.status).toBe(401);
  expect(refused.headers.get("connection")).toBe("close");
  await refused.text();
  const read = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" }, body: "{not json" });
  expect(read.status).toBe(400);
  expect(read.headers.get("connection")).not.toBe("close");
  await read.text();
});

test("after those answers the proxy stops well within its grace period", async () => {
  const started = performance.now();
  await proxy.stop();
  expect(performance.now() - started).toBeLessThan(GRACE_MS / 2);
});
