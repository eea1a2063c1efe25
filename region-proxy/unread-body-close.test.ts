/**
 * An answer given before the request's body was read (a declared body over the limit, a refused key)
 * closes its connection: the client may still be sending the body, and a connection left open with
 * it unread held the proxy's graceful stop for its whole grace period.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
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
