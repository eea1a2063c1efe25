/**
 * A deployment's own `timeouts.totalMs` bounds its calls, longer or shorter than the proxy's
 * VENDOR_TOTAL_TIMEOUT_MS (here 1 s): each call is bounded by its own deployment's total (the default
 * for one without), and the request's deadline is the sum of the planned deployments' totals.
 * Through the proxy with the OpenAI SDK against the echo vendor, whose `slow` model answers a
 * non-streamed request after 50 ms per word and streams a chunk every 50 ms.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, type ProxyFixture } from "../testing/proxy-fixture.ts";

const PROXY_TOTAL_MS = 1_000;
let fx: ProxyFixture;
let proxy: RunningProxy;
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(" ");

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      // `slow` may take 8 s; `quick` is the same vendor model held to 300 ms.
      s.deployments.dep_slow!.timeouts = { totalMs: 8_000 };
      s.deployments.dep_quick = { ...s.deployments.dep_slow!, id: "dep_quick", timeouts: { totalMs: 300 } };
      s.aliases.quick = { name: "quick", chain: ["dep_quick"] };
      // A deployment on the default total before one with a long total of its own.
      s.aliases.mixed = { name: "mixed", chain: ["dep_hang", "dep_slow"] };
    }),
  );
  proxy = await fx.startProxy({ totalTimeoutMs: PROXY_TOTAL_MS });
});
afterAll(() => fx.cleanup());

const chat = (model: string, content: string) => fx.client(proxy, undefined, { timeout: 30_000 }).chat.completions.create({ model, messages: [{ role: "user", content }] });

test("a deployment whose totalMs is above the proxy default answers after the default and before its own total", async () => {
  const started = Date.now();
  // 40 words: the vendor answers after ~2 s, twice the proxy's default total.
  const reply = await chat("slow", words(40));
  expect(Date.now() - started).toBeGreaterThan(PROXY_TOTAL_MS + 500);
  expect(reply.choices[0]!.message.content).toContain("w39");
});

test("a stream from a deployment whose totalMs is above the proxy default runs to its clean end", async () => {
  const stream = await fx.client(proxy, undefined, { timeout: 30_000 }).chat.completions.create({ model: "slow", messages: [{ role: "user", content: words(40) }], stream: true });
  let text = "";
  let finish: string | null = null;
  const started = Date.now();
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? "";
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  expect(Date.now() - started).toBeGreaterThan(PROXY_TOTAL_MS + 500);
  expect(text).toContain("w39");
  expect(finish).toBe("stop");
});

test("a deployment whose totalMs is below the proxy default times out at its own", async () => {
  const started = Date.now();
  const error = await chat("quick", words(40)).catch((e: unknown) => e);
  const elapsed = Date.now() - started;
  expect(error).toBeInstanceOf(OpenAI.APIError);
  expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
  // Its 300 ms is also the request's deadline (the only planned deployment): no time for a retry.
  expect(elapsed).toBeGreaterThanOrEqual(300);
  expect(elapsed).toBeLessThan(700);
});

test("a deployment without a totalMs of its own keeps the default when another one in the chain has a longer total", async () => {
  const started = Date.now();
  // dep_hang never answers: its try is cut at the default 1 s, not at the request's deadline, and it
  // is not retried while dep_slow is planned; dep_slow (30 words: ~1.5 s) then answers.
  const { data: reply, response } = await fx.client(proxy, undefined, { timeout: 30_000 }).chat.completions.create({ model: "mixed", messages: [{ role: "user", content: words(30) }] }).withResponse();
  const elapsed = Date.now() - started;
  expect(reply.choices[0]!.message.content).toContain("w29");
  expect(response.headers.get("x-gateway-attempts")).toBe("2");
  expect(elapsed).toBeGreaterThan(PROXY_TOTAL_MS + 1_000);
  expect(elapsed).toBeLessThan(8_000);
});
