/**
 * A running stream is checked against each newer snapshot for its residency as well as its key
 * (pipeline/recheck-streams.ts). Review rk #2: a tenant narrowed away from the stream's deployment's
 * jurisdiction streamed on to its end from a deployment the rule the proxy now held forbids, while a
 * key kill ended the same stream at once. Now it ends the same way, with a residency_violation frame.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
const snap = (version: number, jurisdictions: string[]) =>
  fx.snapshot(version, (s: Snapshot) => {
    s.deployments.dep_slow = { ...s.deployments.dep_slow!, jurisdiction: "us" };
    s.pricing["openai:slow"] = PRICE;
    s.tenants.ten_a = { ...s.tenants.ten_a!, allowedJurisdictions: jurisdictions };
  });

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(snap(1, ["eu", "us"]));
  proxy = await fx.startProxy();
});
afterAll(() => fx.cleanup());

test("a stream from a us deployment ends once the tenant is narrowed to eu", async () => {
  const response = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "slow", stream: true, messages: [{ role: "user", content: "w ".repeat(60) }] }),
  });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  let text = "";
  while (!text.includes('"content"')) text += new TextDecoder().decode((await reader.read()).value);
  await fx.publish(snap(2, ["eu"]));
  await waitFor(() => proxy.snapshotVersion() === 2, "snapshot 2");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  // As a key kill does: ended with an error frame, not run on to [DONE].
  expect({ errorFrame: text.includes('"error"'), ranToDone: text.includes("[DONE]") && !text.includes('"error"') }).toEqual({ errorFrame: true, ranToDone: false });
  expect(text).toContain('"code":"residency_violation"');
});
