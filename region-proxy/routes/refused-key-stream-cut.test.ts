/**
 * A kill switch acts at once on streams too (review U's repro, ported onto the proxy fixture): when a
 * new snapshot refuses the key a running stream was admitted with (revoked or kill-switched, expired,
 * gone; its tenant or an ancestor disabled or kill-switched), the proxy aborts the vendor call and
 * ends the stream with an invalid_api_key error frame, as a new request with that key is answered,
 * and settles it for what was streamed. A stream of another key runs on to its end. A key refused
 * while its stream still waited for the vendor's first chunk (before the stream was registered for
 * the check) is checked once more when it is: that stream ends the same way.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { hashSecret, newGatewayKey } from "../../shared/ids.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
let version = 1;
const leaked = newGatewayKey();
const other = newGatewayKey();
const team = newGatewayKey();
const waiting = newGatewayKey();

// A vendor that holds its answer (a thinking model's time to first token) until the test lets it go.
let called: () => void = () => {};
let release: () => void = () => {};
const heldVendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  idleTimeout: 0,
  async fetch(req) {
    await req.text();
    const released = new Promise<void>((resolve) => (release = resolve));
    called();
    await released;
    const frame = (delta: unknown) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "held", choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
    return new Response(frame({ role: "assistant", content: "w" }) + frame({ content: " w" }) + "data: [DONE]\n\n", { headers: { "content-type": "text/event-stream" } });
  },
});

/** The base snapshot with three keys of their own: two in tenant A, one in a team under an org. */
const withKeys = (change: (s: Snapshot) => void = () => {}) =>
  fx.snapshot(++version, (s) => {
    s.pricing["openai:slow"] = PRICE;
    const key = (id: string, tenantId: string) => ({ id, tenantId, name: id, status: "active" as const, expiresAt: null, allowedAliases: null });
    s.keys[hashSecret(leaked)] = key("key_leaked", "ten_a");
    s.keys[hashSecret(other)] = key("key_other", "ten_a");
    s.keys[hashSecret(team)] = key("key_team", "ten_team");
    s.keys[hashSecret(waiting)] = key("key_waiting", "ten_a");
    s.deployments.dep_held = { id: "dep_held", provider: "openai", baseUrl: `http://127.0.0.1:${heldVendor.port}/v1`, model: "held", region: s.region, credentialRef: "env:ECHO_KEY" };
    s.aliases.held = { name: "held", chain: ["dep_held"] };
    s.pricing["openai:held"] = PRICE;
    s.tenants.ten_org = { id: "ten_org", name: "Org", status: "active" };
    s.tenants.ten_team = { id: "ten_team", name: "Team", status: "active", parentId: "ten_org" };
    change(s);
  });

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(withKeys());
  proxy = await fx.startProxy();
});
afterAll(async () => {
  await fx.cleanup();
  heldVendor.stop(true);
});

/** A `slow` stream (50 ms a chunk, one chunk a word) whose first content chunk has arrived. */
async function openStream(key: string, words: number, requestId: string) {
  const response = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "x-request-id": requestId },
    body: JSON.stringify({ model: "slow", stream: true, messages: [{ role: "user", content: "w ".repeat(words) }] }),
  });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  let text = "";
  while (!text.includes('"content"')) text += new TextDecoder().decode((await reader.read()).value);
  return {
    async rest(): Promise<string> {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return text;
        text += new TextDecoder().decode(value);
      }
    },
  };
}

const eventOf = async (requestId: string) => {
  await waitFor(() => fx.origin.events().some((e) => e.requestId === requestId), `usage event of ${requestId}`);
  return fx.origin.events().find((e) => e.requestId === requestId)!;
};

test("a key revoked by a new snapshot ends its running stream with an invalid_api_key frame; another key's stream runs on", async () => {
  const abortsBefore = fx.vendor.aborts("slow");
  const cut = await openStream(leaked, 200, "req-leaked"); // ~10 s
  const kept = await openStream(other, 40, "req-other"); // ~2 s
  await fx.publish(withKeys((s) => void (s.keys[hashSecret(leaked)]!.status = "revoked")));
  const publishedAt = Date.now();

  const text = await cut.rest();
  expect(Date.now() - publishedAt).toBeLessThan(2_000);
  expect(text).not.toContain("[DONE]");
  const frames = text.split("\n\n").filter((f) => f.startsWith("data: "));
  expect(JSON.parse(frames.at(-1)!.slice(6))).toEqual({
    error: { message: expect.any(String), type: "invalid_request_error", param: null, code: "invalid_api_key" },
  });
  await waitFor(() => fx.vendor.aborts("slow") > abortsBefore, "the vendor call was aborted");
  const event = await eventOf("req-leaked");
  expect(event).toMatchObject({ status: "error", errorCode: "invalid_api_key", stream: true });
  expect(event.usage.outputTokens).toBeGreaterThan(0);
  expect(event.usage.outputTokens).toBeLessThan(200);
  expect(event.costMicros).toBeGreaterThan(0);

  const keptText = await kept.rest();
  expect(keptText).toContain("data: [DONE]");
  expect(keptText).not.toContain('"error"');
  expect(await eventOf("req-other")).toMatchObject({ status: "ok" });
}, 20_000);

test("a tenant kill switch (the org above the key's team disabled) ends the key's running stream", async () => {
  const cut = await openStream(team, 200, "req-team");
  await fx.publish(
    withKeys((s) => {
      // The control plane publishes a disabled ancestor folded into its subtree (compile-snapshot.ts).
      s.tenants.ten_org!.status = "disabled";
      s.tenants.ten_team!.status = "disabled";
      s.keys[hashSecret(leaked)]!.status = "revoked";
    }),
  );
  const publishedAt = Date.now();
  const text = await cut.rest();
  expect(Date.now() - publishedAt).toBeLessThan(2_000);
  expect(text).not.toContain("[DONE]");
  expect(text).toContain('"code":"invalid_api_key"');
  expect(await eventOf("req-team")).toMatchObject({ status: "error", errorCode: "invalid_api_key" });
}, 20_000);

test("a key revoked while its stream waits for the vendor's first chunk: the stream ends with the invalid_api_key frame, none of the answer sent", async () => {
  const vendorCalled = new Promise<void>((resolve) => (called = resolve));
  const response = fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${waiting}`, "x-request-id": "req-waiting" },
    body: JSON.stringify({ model: "held", stream: true, messages: [{ role: "user", content: "hi" }] }),
  });
  await vendorCalled;
  await fx.publish(withKeys((s) => void (s.keys[hashSecret(waiting)]!.status = "revoked")));
  const models = () => fetch(`${proxy.url}/v1/models`, { headers: { authorization: `Bearer ${waiting}` } });
  await waitFor(async () => (await models()).status === 401, "the proxy refuses the key to new requests");
  release();

  const text = await (await response).text();
  expect(text).not.toContain("[DONE]");
  expect(text).not.toContain('"content"');
  expect(text).toContain('"code":"invalid_api_key"');
  expect(await eventOf("req-waiting")).toMatchObject({ status: "error", errorCode: "invalid_api_key", stream: true });
}, 20_000);
