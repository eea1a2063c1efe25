/**
 * A key (or its tenant) kill-switched while its request waits on its first deployment: once the proxy
 * holds the snapshot refusing it, no retry or fallback is sent for it and the caller gets what a new
 * request with the key gets (401 invalid_api_key). README (Governance): "an unstreamed call already
 * with its vendor finishes within its deployment's total timeout, and no retry or fallback of it goes
 * where the new snapshot forbids". A stream not yet answered is held to the same (before, the fallback
 * was called and only the stream's registration check ended it). Review fra F1.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import { hashSecret } from "../../shared/ids.ts";
import type { RunningProxy } from "../main.ts";
import { startHeldVendor } from "../testing/held-vendor.ts";
import { createProxyFixture, PRICE, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
const held = startHeldVendor();

const snap = (version: number, killed: "none" | "key" | "tenant") =>
  fx.snapshot(version, (s: Snapshot) => {
    s.deployments.dep_a = { id: "dep_a", provider: "openai", baseUrl: `http://127.0.0.1:${held.port}/v1`, model: "held-a", region: s.region, credentialRef: "env:ECHO_KEY" };
    s.aliases.pair = { name: "pair", chain: ["dep_a", "dep_echo1"] };
    s.pricing["openai:held-a"] = PRICE;
    if (killed === "key") s.keys[hashSecret(fx.keys.main)]!.status = "revoked";
    if (killed === "tenant") s.tenants.ten_a = { ...s.tenants.ten_a!, status: "disabled" };
  });

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(snap(1, "none"));
  proxy = await fx.startProxy();
});
afterAll(async () => {
  await fx.cleanup();
  held.stop();
});

for (const [i, killed, stream] of [[0, "key", false], [1, "tenant", false], [2, "key", true]] as const) {
  test(`a ${killed} kill-switched while its first deployment works${stream ? " (streamed)" : ""}: no retry or fallback call is made for it`, async () => {
    if (i > 0) {
      await fx.publish(snap(10 * i + 1, "none"));
      await waitFor(() => proxy.snapshotVersion() === 10 * i + 1, "restored");
    }
    const reached = held.rearm();
    const answer = fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "pair", stream, messages: [{ role: "user", content: "hi" }] }),
    });
    await reached;
    await fx.publish(snap(10 * i + 2, killed));
    await waitFor(() => proxy.snapshotVersion() === 10 * i + 2, "killed");
    const echoBefore = fx.vendor.calls("echo-1");
    held.release();
    const response = await answer;
    await response.text();
    // The key is refused in the snapshot held before the walk chose its retry and its fallback.
    expect({ retries: held.calls() - 1, fallbackCalls: fx.vendor.calls("echo-1") - echoBefore, status: response.status }).toEqual({ retries: 0, fallbackCalls: 0, status: 401 });
  });
}
