/**
 * A deployment whose `provider:model` has no price in the snapshot (an older snapshot, a race with the
 * control plane's rule) is free to the ledger: it reserved and charged 0, so a budget never stopped it
 * (review rd: a key with a 10 µ$ daily budget was served 20 requests). A request under any budget (its
 * key's or a tenant's) now never reaches one: the deployment is skipped with trail reason `unpriced`,
 * and with nothing priced left the answer is 503 deployment_unpriced naming the alias. A request under no
 * budget is still served there, counted in gateway_unpriced_calls_total and logged once per deployment
 * and snapshot.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { hashSecret } from "../shared/ids.ts";
import type { RunningProxy } from "./main.ts";
import { createProxyFixture, PRICE, waitFor, type ProxyFixture } from "./testing/proxy-fixture.ts";

const METRICS_TOKEN = "scrape-unpriced-0123456789";
let fx: ProxyFixture;
let proxy: RunningProxy;

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      // key.main: a 1,000 µ$ daily budget (the review had 10 µ$: unpriced, 20 requests were served regardless); echo-1 unpriced. "mixed" routes to an unpriced deployment first, a priced one next.
      s.keys[hashSecret(fx.keys.main)]!.budgets = { dailyMicros: 1_000 };
      delete s.pricing["openai:echo-1"];
      s.deployments.dep_echo2 = { ...s.deployments.dep_echo1!, id: "dep_echo2", model: "echo-2" };
      s.pricing["openai:echo-2"] = PRICE;
      s.aliases.mixed = { name: "mixed", chain: ["dep_echo1", "dep_echo2"] };
      // key.limited's tenant has no budget, nor has the key.
    }),
  );
  proxy = await fx.startProxy({ metricsToken: METRICS_TOKEN });
});
afterAll(() => fx.cleanup());

const messages = [{ role: "user" as const, content: "hello there, how much does this cost?" }];
const metrics = () => fetch(`${proxy.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }).then((r) => r.text());
async function eventFor(id: string | null) {
  await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
  return fx.origin.events().find((e) => e.requestId === id)!;
}

test("a budgeted key cannot spend without bound on an unpriced model: 503 deployment_unpriced, no vendor call", async () => {
  const client = fx.client(proxy);
  const before = fx.vendor.calls("echo-1");
  let served = 0;
  let last: unknown = null;
  for (let i = 0; i < 20; i++) {
    const r = await client.chat.completions.create({ model: "chat", messages, max_tokens: 50 }).catch((e) => e);
    if (r instanceof Error) last = r;
    else served++;
  }
  expect(served).toBe(0);
  expect(last).toBeInstanceOf(OpenAI.APIError);
  const error = last as InstanceType<typeof OpenAI.APIError>;
  expect(error.status).toBe(503);
  expect(error.code).toBe("deployment_unpriced");
  expect(error.message).toContain("'chat'");
  expect(error.message).not.toContain(fx.keys.main);
  expect(error.headers?.get("x-should-retry")).toBe("false");
  expect(fx.vendor.calls("echo-1")).toBe(before);
});

test("a budgeted request skips the unpriced deployment (trail reason unpriced) and is served by the priced one", async () => {
  const response = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "mixed", messages: [{ role: "user", content: "hi" }], max_tokens: 2 }),
  });
  expect(response.status).toBe(200);
  const event = await eventFor(response.headers.get("x-request-id"));
  expect(event.attemptTrail!.map((s) => [s.deploymentId, s.outcome, s.reason])).toEqual([
    ["dep_echo1", "skipped", "unpriced"],
    ["dep_echo2", "ok", null],
  ]);
  expect(event.deploymentId).toBe("dep_echo2");
  expect(event.costMicros).toBeGreaterThan(0);
});

test("a request under no budget is still served on the unpriced model, counted, and logged once per deployment and snapshot", async () => {
  const client = fx.client(proxy, fx.keys.limited);
  for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: "chat", messages, max_tokens: 5 });
  expect(await metrics()).toMatch(/gateway_unpriced_calls_total\{deployment="dep_echo1"\} 3\b/);
  expect(fx.logs.filter((l) => l.includes("dep_echo1") && l.includes("no price"))).toHaveLength(1);
});
