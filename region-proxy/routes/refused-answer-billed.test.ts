/**
 * A vendor that answered 2xx with an answer the gateway refuses (a choice without a message, tool-call
 * arguments that are not a string, a stream whose first event is garbage) has done the work and bills for
 * it: when the walk ends with such a call, the request is charged like a timed-out one, the vendor's
 * reported usage when the refused body carried a usable one, else the prompt estimate. A vendor's
 * error answer (a 500, whatever its body) is no billed call and costs nothing; a refused first answer
 * followed by a fallback's good one is charged the fallback's usage only.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { estimatePromptTokens } from "../limits/estimate-prompt-tokens.ts";
import { estimateEmbeddingTokens } from "../openai/parse-embeddings-request.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

const USAGE = { prompt_tokens: 500, completion_tokens: 300, total_tokens: 800 };
const GOOD_USAGE = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 };
const answer = (model: string, choices: unknown[], usage?: object) => Response.json({ id: "x", object: "chat.completion", created: 1, model, choices, ...(usage ? { usage } : {}) });
const noMessage = [{ index: 0, finish_reason: "stop" }];
const badArguments = [{ index: 0, message: { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: { not: "a string" } } }] }, finish_reason: "tool_calls" }];

/** One vendor model per behaviour. */
const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  async fetch(request) {
    const { model, stream } = (await request.json()) as { model: string; stream?: boolean };
    // An embeddings answer whose data is no list of embeddings, with the vendor's usage.
    if (new URL(request.url).pathname.endsWith("/embeddings")) return Response.json({ object: "list", data: "nope", model, usage: { prompt_tokens: 2, total_tokens: 2 } });
    if (stream) return new Response("data: {not json\n\n", { headers: { "content-type": "text/event-stream" } });
    switch (model) {
      case "no-message-usage":
        return answer(model, noMessage, USAGE);
      case "bad-arguments-usage":
        return answer(model, badArguments, USAGE);
      case "no-message":
        return answer(model, noMessage);
      case "garbage-500":
        return new Response("<html>upstream exploded", { status: 500, headers: { "content-type": "text/html" } });
      default:
        return answer(model, [{ index: 0, message: { role: "assistant", content: "fine" }, finish_reason: "stop" }], GOOD_USAGE);
    }
  },
});

const ALIASES: Record<string, string[]> = {
  billed: ["no-message-usage"],
  "billed-args": ["bad-arguments-usage"],
  unreported: ["no-message"],
  "broken-500": ["garbage-500"],
  recovers: ["no-message-usage", "good"],
  streamed: ["refused-stream"],
  embeds: ["refused-embedding"],
};

let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const [alias, models] of Object.entries(ALIASES)) {
        s.aliases[alias] = { name: alias, chain: models.map((model) => `dep_${model}`) };
        for (const model of models) {
          s.deployments[`dep_${model}`] = { id: `dep_${model}`, provider: "openai", baseUrl: `http://127.0.0.1:${vendor.port}/v1`, model, region: REGION, credentialRef: "env:ECHO_KEY" };
          s.pricing[`openai:${model}`] = PRICE;
        }
      }
    }),
  );
  proxy = await fx.startProxy();
});
afterAll(async () => {
  await fx.cleanup();
  vendor.stop(true);
});

const messages = [{ role: "user" as const, content: "Say something the vendor will bill for." }];
const estimate = (alias: string, vendorModel: string) => estimatePromptTokens({ model: alias, messages, stream: false, includeUsage: false, raw: {} }, vendorModel);

/** Sends through the official SDK; returns the status it failed with (200 when it did not) and the usage event. */
async function send(alias: string, requestId: string, stream = false): Promise<{ status: number; event: UsageEvent }> {
  let status = 200;
  try {
    const answer = await fx.client(proxy).chat.completions.create({ model: alias, messages, stream }, { headers: { "x-request-id": requestId } });
    if (stream) for await (const _ of answer as AsyncIterable<unknown>);
  } catch (error) {
    status = (error as { status?: number }).status ?? -1;
  }
  await waitFor(() => fx.origin.events().some((e) => e.requestId === requestId), "usage event");
  return { status, event: fx.origin.events().find((e) => e.requestId === requestId)! };
}

test("a refused 200 that reports usage (a choice without a message) is charged the vendor's reported tokens", async () => {
  const { status, event } = await send("billed", "req-refused-usage");
  expect(status).toBe(502);
  expect(event).toMatchObject({ status: "error", errorCode: "upstream_invalid_response", attempts: 2 });
  expect(event.usage).toMatchObject({ inputTokens: 500, outputTokens: 300 });
  expect(event.costMicros).toBe(500 * 1 + 300 * 2);
  expect(event.attemptTrail!.map((step) => step.reason)).toEqual(["invalid_response", "invalid_response"]);
});

test("tool-call arguments that are not a string (an object), with usage: charged the reported tokens", async () => {
  const { status, event } = await send("billed-args", "req-refused-args");
  expect(status).toBe(502);
  expect(event).toMatchObject({ status: "error", errorCode: "upstream_invalid_response" });
  expect(event.usage).toMatchObject({ inputTokens: 500, outputTokens: 300 });
  expect(event.costMicros).toBe(1_100);
});

test("a refused 200 without usage is charged the prompt estimate", async () => {
  const { status, event } = await send("unreported", "req-refused-no-usage");
  expect(status).toBe(502);
  expect(event).toMatchObject({ status: "error", errorCode: "upstream_invalid_response" });
  expect(event.usage).toMatchObject({ inputTokens: estimate("unreported", "no-message"), outputTokens: 0 });
  expect(event.costMicros).toBeGreaterThan(0);
});

test("a stream refused before its first chunk is charged the prompt estimate", async () => {
  const { status, event } = await send("streamed", "req-refused-stream", true);
  expect(status).toBe(502);
  expect(event).toMatchObject({ status: "error", errorCode: "upstream_invalid_response", stream: true });
  expect(event.usage).toMatchObject({ inputTokens: estimate("streamed", "refused-stream"), outputTokens: 0 });
  expect(event.costMicros).toBeGreaterThan(0);
});

test("a 500 with a garbage body is no billed call: nothing charged", async () => {
  const { status, event } = await send("broken-500", "req-garbage-500");
  expect(status).toBe(502);
  expect(event).toMatchObject({ status: "error", costMicros: 0, usage: { inputTokens: 0, outputTokens: 0 } });
});

test("a refused first answer followed by a good fallback is charged the fallback's usage only (as before)", async () => {
  const { status, event } = await send("recovers", "req-refused-then-fallback");
  expect(status).toBe(200);
  expect(event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_good" });
  expect(event.usage).toMatchObject({ inputTokens: 7, outputTokens: 3 });
  expect(event.costMicros).toBe(7 + 3 * 2);
});

test("a refused 200 embeddings answer is charged its input estimate", async () => {
  const input = "a text the vendor embedded before its answer was refused";
  const error = await fx.client(proxy).embeddings.create({ model: "embeds", input }, { headers: { "x-request-id": "req-refused-embeddings" } }).catch((e) => e);
  expect(error.status).toBe(502);
  await waitFor(() => fx.origin.events().some((e) => e.requestId === "req-refused-embeddings"), "usage event");
  const event = fx.origin.events().find((e) => e.requestId === "req-refused-embeddings")!;
  expect(event).toMatchObject({ status: "error", endpoint: "embeddings", errorCode: "upstream_invalid_response" });
  expect(event.usage).toMatchObject({ inputTokens: estimateEmbeddingTokens(input), outputTokens: 0 });
  expect(event.costMicros).toBeGreaterThan(0);
});
