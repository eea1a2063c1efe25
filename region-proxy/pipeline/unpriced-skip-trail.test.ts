/**
 * Review rq Q2: a deployment skipped before the walk for having no price (a budgeted request) is put on
 * the attempt trail first, out of chain order, and the deployment after it that answers is not a
 * fallback (x-gateway-fallback: false, event.fallback false, gateway_fallbacks_total not counted),
 * though the contract says fallback is "the answer did not come from the alias's first deployment",
 * and a deployment skipped inside the walk (credential_missing) does count as one. Now each left-out
 * step stands at its chain position and `first` is the alias's first planned deployment.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { hashSecret } from "../../shared/ids.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.keys[hashSecret(fx.keys.main)]!.budgets = { dailyMicros: 1_000_000 };
      delete s.pricing["openai:echo-1"];
      s.pricing["openai:error-500"] = PRICE;
      s.deployments.dep_echo2 = { ...s.deployments.dep_echo1!, id: "dep_echo2", model: "echo-2" };
      s.pricing["openai:echo-2"] = PRICE;
      s.aliases.unpricedfirst = { name: "unpricedfirst", chain: ["dep_echo1", "dep_echo2"] };
      s.aliases.unpricedmiddle = { name: "unpricedmiddle", chain: ["dep_error500", "dep_echo1", "dep_echo2"] };
    }),
  );
  proxy = await fx.startProxy();
});
afterAll(() => fx.cleanup());

async function call(model: string) {
  const response = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 2 }),
  });
  await response.text();
  const id = response.headers.get("x-request-id");
  await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
  return { response, event: fx.origin.events().find((e) => e.requestId === id)! };
}

test("answered by the alias's second deployment (its first unpriced): a fallback, as a credential_missing skip is", async () => {
  const { response, event } = await call("unpricedfirst");
  expect(response.headers.get("x-gateway-model")).toBe("echo-2");
  expect(event.attemptTrail!.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["dep_echo1:skipped:unpriced", "dep_echo2:ok:null"]);
  expect(response.headers.get("x-gateway-fallback")).toBe("true");
  expect(event.fallback).toBe(true);
});

test("the trail lists the steps in the order the chain was walked", async () => {
  const { event } = await call("unpricedmiddle");
  expect(event.attemptTrail!.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual([
    "dep_error500:error:status_500",
    "dep_error500:error:status_500",
    "dep_echo1:skipped:unpriced",
    "dep_echo2:ok:null",
  ]);
});
