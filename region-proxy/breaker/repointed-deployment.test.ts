/**
 * A deployment that a new snapshot repoints (deployment.update keeps the id: another model, baseUrl or
 * credential) does not inherit the open circuit its old endpoint earned: that verdict was about the old
 * endpoint, and an operator who repoints a failing deployment at a healthy one expects the very next
 * request to reach it. Pointed back, the old endpoint's circuit is still open.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
const messages = [{ role: "user" as const, content: "hi" }];

beforeAll(async () => {
  fx = await createProxyFixture();
  // v1: dep_moved points at an endpoint that answers 500 (the echo vendor's error-500 model).
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.dep_moved = { id: "dep_moved", provider: "openai", baseUrl: `${fx.vendor.url}/v1`, model: "error-500", region: REGION, credentialRef: "env:ECHO_KEY" };
      s.aliases.moved = { name: "moved", chain: ["dep_moved"] };
    }),
  );
  proxy = await fx.startProxy({ breaker: { failureThreshold: 2, coolDownMs: 60_000 } });
});
afterAll(() => fx?.cleanup());

test("an open circuit earned by the old endpoint does not block the deployment's new endpoint", async () => {
  const client = fx.client(proxy);
  // Open the circuit on v1's failing endpoint.
  for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: "moved", messages }).catch(() => {});
  const skipped = await client.chat.completions.create({ model: "moved", messages }).withResponse().catch((e) => e);
  expect(skipped.status).toBe(503); // open: skipped without a call

  // v2 repoints dep_moved at a healthy model (as deployment.update does: same id, new model/endpoint).
  await fx.publish(
    fx.snapshot(2, (s) => {
      s.deployments.dep_moved = { id: "dep_moved", provider: "openai", baseUrl: `${fx.vendor.url}/v1`, model: "echo-1", region: REGION, credentialRef: "env:ECHO_KEY" };
      s.aliases.moved = { name: "moved", chain: ["dep_moved"] };
    }),
  );
  await waitFor(() => proxy.snapshotVersion() === 2, "version 2 loaded");
  const answer = await client.chat.completions.create({ model: "moved", messages }).catch((e) => e);
  expect(answer.status ?? 200).toBe(200);
  expect(answer.choices?.[0]?.message?.content).toBeTruthy();

  // v3 points it back at the failing endpoint: the circuit that endpoint earned is still open.
  await fx.publish(
    fx.snapshot(3, (s) => {
      s.deployments.dep_moved = { id: "dep_moved", provider: "openai", baseUrl: `${fx.vendor.url}/v1`, model: "error-500", region: REGION, credentialRef: "env:ECHO_KEY" };
      s.aliases.moved = { name: "moved", chain: ["dep_moved"] };
    }),
  );
  await waitFor(() => proxy.snapshotVersion() === 3, "version 3 loaded");
  const again = await client.chat.completions.create({ model: "moved", messages }).withResponse().catch((e) => e);
  expect(again.status).toBe(503);
});
