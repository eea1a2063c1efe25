/**
 * gateway_tokens_total{deployment} and gateway_cost_micros_total{deployment} count each vendor
 * call at the deployment that made it. A 2xx answer the gateway refused (garbage) is billed by its
 * vendor and charged to the request (Trail.refusedCalls): when a fallback then answers, its tokens and
 * cost are booked at the deployment that sent it, not at the fallback.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

const TOKEN = "metrics-token-0123456789";
let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.pricing["openai:garbage"] = PRICE;
      s.aliases["garbage-then-echo"] = { name: "garbage-then-echo", chain: ["dep_garbage", "dep_echo1"] };
    }),
  );
  proxy = await fx.startProxy({ metricsToken: TOKEN });
});
afterAll(() => fx.cleanup());

const value = (text: string, series: string) => Number(text.split("\n").find((l) => l.startsWith(series + " "))?.split(" ").pop() ?? 0);

test("tokens and cost of a refused (billed) call are counted at the deployment that made it, not at the fallback that answered", async () => {
  const answer = await fx.client(proxy).chat.completions.create({ model: "garbage-then-echo", messages: [{ role: "user", content: "hello there" }] }).withResponse();
  expect(answer.response.headers.get("x-gateway-fallback")).toBe("true");
  const echoUsage = answer.data.usage!; // what dep_echo1 itself reported for its answer
  await waitFor(() => fx.origin.events().length === 1, "usage event");
  const event = fx.origin.events()[0]!;
  expect(event.attemptTrail!.map((s) => `${s.deploymentId}:${s.outcome}`)).toContain("dep_garbage:error");

  const text = await (await fetch(`${proxy.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const echoCost = echoUsage.prompt_tokens * 1 + echoUsage.completion_tokens * 2; // PRICE: 1 and 2 micro-USD per token
  // dep_echo1 made one call: its tokens and cost are that call's.
  expect(value(text, 'gateway_tokens_total{deployment="dep_echo1",class="input"}')).toBe(echoUsage.prompt_tokens);
  expect(value(text, 'gateway_cost_micros_total{deployment="dep_echo1"}')).toBe(echoCost);
  // dep_garbage's billed calls are dep_garbage's.
  expect(value(text, 'gateway_tokens_total{deployment="dep_garbage",class="input"}')).toBeGreaterThan(0);
  expect(value(text, 'gateway_cost_micros_total{deployment="dep_garbage"}')).toBe(event.costMicros - echoCost);
});
