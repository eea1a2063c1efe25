/**
 * A request's route is planned from the snapshot it was admitted under, but each vendor call is checked
 * against the snapshot held when it is made (pipeline/residency-recheck.ts). Review rk #1: a tenant
 * narrowed to eu (or a deployment kill-switched) while its first deployment was thinking still had its
 * prompt sent to the us deployment by the fallback. Now the fallback is skipped (trail reason
 * residency_changed / deployment_removed) and the first deployment's failure is the answer: it says
 * nothing false (a retry is planned under the new snapshot, where that deployment still fits).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import type { RunningProxy } from "../main.ts";
import { startHeldVendor } from "../testing/held-vendor.ts";
import { createProxyFixture, PRICE, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
const held = startHeldVendor();

const snap = (version: number, jurisdictions: string[]) =>
  fx.snapshot(version, (s: Snapshot) => {
    s.deployments.dep_eu = { id: "dep_eu", provider: "openai", baseUrl: `http://127.0.0.1:${held.port}/v1`, model: "held-eu", region: s.region, credentialRef: "env:ECHO_KEY", jurisdiction: "eu" };
    s.deployments.dep_us = { ...s.deployments.dep_echo1!, id: "dep_us", jurisdiction: "us" };
    s.aliases.mixed = { name: "mixed", chain: ["dep_eu", "dep_us"] };
    s.pricing["openai:held-eu"] = PRICE;
    s.tenants.ten_a = { ...s.tenants.ten_a!, allowedJurisdictions: jurisdictions };
  });

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(snap(1, ["eu", "us"]));
  proxy = await fx.startProxy();
});
afterAll(async () => {
  await fx.cleanup();
  held.stop();
});

test("a fallback after the tenant was narrowed to eu never reaches the us deployment", async () => {
  const reachedEu = held.rearm();
  const answer = fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "mixed", messages: [{ role: "user", content: "eu-only data" }] }),
  });
  const first = await Promise.race([reachedEu.then(() => "vendor"), answer.then(async (r) => `answered ${r.status} ${await r.clone().text()}`)]);
  expect(first).toBe("vendor");
  // The admin narrows the tenant to eu; the proxy swaps the snapshot in.
  await fx.publish(snap(2, ["eu"]));
  await waitFor(() => proxy.snapshotVersion() === 2, "snapshot 2");
  const usBefore = fx.vendor.calls("echo-1");
  held.release();
  const response = await answer;
  const body = await response.text();
  // The proxy held "ten_a: eu only" before it chose the fallback: the us deployment must not get the prompt.
  expect({ usCalls: fx.vendor.calls("echo-1") - usBefore, model: response.headers.get("x-gateway-model"), fallback: response.headers.get("x-gateway-fallback") }).toEqual({ usCalls: 0, model: "held-eu", fallback: "false" });
  expect({ status: response.status, code: (JSON.parse(body) as { error: { code: string } }).error.code }).toEqual({ status: 502, code: "upstream_error" });
  expect(fx.logs.some((line) => line.includes("dep_us skipped (residency_changed"))).toBe(true);
});

test("(same cause) a fallback after the us deployment was kill-switched (gone from the snapshot) never reaches it", async () => {
  // Back to eu+us first (version 3), so only the kill differs.
  await fx.publish(snap(3, ["eu", "us"]));
  await waitFor(() => proxy.snapshotVersion() === 3, "snapshot 3");
  const reachedEu = held.rearm();
  const answer = fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "mixed", messages: [{ role: "user", content: "data" }] }),
  });
  await reachedEu;
  const killed = snap(4, ["eu", "us"]);
  delete killed.deployments.dep_us;
  killed.aliases.mixed!.chain = ["dep_eu"];
  await fx.publish(killed);
  await waitFor(() => proxy.snapshotVersion() === 4, "snapshot 4");
  const usBefore = fx.vendor.calls("echo-1");
  held.release();
  const response = await answer;
  await response.text();
  expect({ usCalls: fx.vendor.calls("echo-1") - usBefore, model: response.headers.get("x-gateway-model"), fallback: response.headers.get("x-gateway-fallback") }).toEqual({ usCalls: 0, model: "held-eu", fallback: "false" });
  expect(response.status).toBe(502);
  expect(fx.logs.some((line) => line.includes("dep_us skipped (deployment_removed"))).toBe(true);
});
