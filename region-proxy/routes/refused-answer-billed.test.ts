/**
 * A vendor that answered 2xx with an answer the gateway refuses (a choice without a message, tool-call
 * arguments that are not a string, a stream whose first event is garbage) has done the work and bills for
 * it: EVERY such call of the walk is charged, whether the walk then ended there, failed otherwise, or a
 * retry or fallback answered, each at its own deployment's price: the vendor's reported usage when the
 * refused body carried a usable one, else the prompt estimate. The usage event's usage is the sum of
 * every billed call's tokens, its cost the sum of their costs. A vendor's error answer (a 500, whatever
 * its body) is no billed call and costs nothing.
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
const fine = [{ index: 0, message: { role: "assistant", content: "fine" }, finish_reason: "stop" }];
const DEAR = { input: 3_000_000, output: 5_000_000 }; // 3 and 5 micro-USD per token
const GOOD_COST = 7 * 1 + 3 * 2;
const DEAR_GOOD_COST = 7 * 3 + 3 * 5;
const REFUSED_COST = 500 * 1 + 300 * 2;
/** Calls each vendor model got so far: the "-once" models refuse their first call only. */
const callsTo = new Map<string, number>();
const chunk = (model: string, rest: object) => `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model, ...rest })}\n\n`;
const goodStream = (model: string) =>
  new Response(chunk(model, { choices: [{ index: 0, delta: { role: "assistant", content: "fine" }, finish_reason: "stop" }] }) + chunk(model, { choices: [], usage: GOOD_USAGE }) + "data: [DONE]\n\n", { headers: { "content-type": "text/event-stream" } });
const badArguments = [{ index: 0, message: { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: { not: "a string" } } }] }, finish_reason: "tool_calls" }];

/** One vendor model per behaviour. */
const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  async fetch(request) {
    const { model, stream } = (await request.json()) as { model: string; stream?: boolean };
    const call = (callsTo.get(model) ?? 0) + 1;
    callsTo.set(model, call);
    const refusesNow = !model.endsWith("-once") || call === 1;
    // An embeddings answer whose data is no list of embeddings, with the vendor's usage.
    if (new URL(request.url).pathname.endsWith("/embeddings")) {
      return Response.json({ object: "list", data: refusesNow ? "nope" : [{ object: "embedding", index: 0, embedding: [0.1, 0.2] }], model, usage: { prompt_tokens: 2, total_tokens: 2 } });
    }
    if (stream) return refusesNow ? new Response("data: {not json\n\n", { headers: { "content-type": "text/event-stream" } }) : goodStream(model);
    if (model === "refuse-once") return refusesNow ? answer(model, noMessage, USAGE) : answer(model, fine, GOOD_USAGE);
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
        return answer(model, fine, GOOD_USAGE);
    }
  },
});

const ALIASES: Record<string, string[]> = {
  billed: ["no-message-usage"],
  "billed-args": ["bad-arguments-usage"],
  unreported: ["no-message"],
  "broken-500": ["garbage-500"],
  retried: ["refuse-once"],
  recovers: ["no-message-usage", "good-dear"],
  "refused-then-500": ["no-message-usage", "garbage-500"],
  streamed: ["refused-stream"],
  "stream-recovers": ["stream-refuse-once"],
  embeds: ["refused-embedding"],
  "embeds-recovers": ["embed-refuse-once"],
};

let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const [alias, models] of Object.entries(ALIASES)) {
        // Deployments of their own per alias: no test's failures open a circuit another one walks.
        s.aliases[alias] = { name: alias, chain: models.map((model) => `dep_${alias}_${model}`) };
        for (const model of models) {
          s.deployments[`dep_${alias}_${model}`] = { id: `dep_${alias}_${model}`, provider: "openai", baseUrl: `http://127.0.0.1:${vendor.port}/v1`, model, region: REGION, credentialRef: "env:ECHO_KEY" };
          s.pricing[`openai:${model}`] = model.endsWith("-dear") ? DEAR : PRICE;
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
async function send(alias: string, requestId: string, stream = false, includeUsage = false): Promise<{ status: number; event: UsageEvent }> {
  let status = 200;
  try {
    const options = includeUsage ? { stream_options: { include_usage: true } } : {};
    const answer = await fx.client(proxy).chat.completions.create({ model: alias, messages, stream, ...options }, { headers: { "x-request-id": requestId } });
    if (stream) for await (const _ of answer as AsyncIterable<unknown>);
  } catch (error) {
    status = (error as { status?: number }).status ?? -1;
  }
  await waitFor(() => fx.origin.events().some((e) => e.requestId === requestId), "usage event");
  return { status, event: fx.origin.events().find((e) => e.requestId === requestId)! };
}

test("a deployment refused twice (its retry refused too), each answer reporting usage: both calls charged, the walk ends in an error", async () => {
  const { status, event } = await send("billed", "req-refused-usage");
  expect(status).toBe(502);
  expect(event).toMatchObject({ status: "error", errorCode: "upstream_invalid_response", attempts: 2 });
  expect(event.usage).toMatchObject({ inputTokens: 2 * 500, outputTokens: 2 * 300 });
  expect(event.costMicros).toBe(2 * REFUSED_COST);
  expect(event.attemptTrail!.map((step) => step.reason)).toEqual(["invalid_response", "invalid_response"]);
});

test("tool-call arguments that are not a string (an object), with usage: each refused call charged the reported tokens", async () => {
  const { status, event } = await send("billed-args", "req-refused-args");
  expect(status).toBe(502);
  expect(event).toMatchObject({ status: "error", errorCode: "upstream_invalid_response", attempts: 2 });
  expect(event.usage).toMatchObject({ inputTokens: 1_000, outputTokens: 600 });
  expect(event.costMicros).toBe(2_200);
});

test("refused 200s without usage are each charged the prompt estimate", async () => {
  const { status, event } = await send("unreported", "req-refused-no-usage");
  expect(status).toBe(502);
  expect(event).toMatchObject({ status: "error", errorCode: "upstream_invalid_response", attempts: 2 });
  expect(event.usage).toMatchObject({ inputTokens: 2 * estimate("unreported", "no-message"), outputTokens: 0 });
  expect(event.costMicros).toBe(2 * estimate("unreported", "no-message"));
});

test("a stream refused before its first chunk, twice: each call charged the prompt estimate", async () => {
  const { status, event } = await send("streamed", "req-refused-stream", true);
  expect(status).toBe(502);
  expect(event).toMatchObject({ status: "error", errorCode: "upstream_invalid_response", stream: true, attempts: 2 });
  expect(event.usage).toMatchObject({ inputTokens: 2 * estimate("streamed", "refused-stream"), outputTokens: 0 });
  expect(event.costMicros).toBe(2 * estimate("streamed", "refused-stream"));
});

test("a 500 with a garbage body is no billed call: nothing charged", async () => {
  const { status, event } = await send("broken-500", "req-garbage-500");
  expect(status).toBe(502);
  expect(event).toMatchObject({ status: "error", costMicros: 0, usage: { inputTokens: 0, outputTokens: 0 } });
});

test("a refused answer whose retry on the same deployment answers: both calls charged", async () => {
  const { status, event } = await send("retried", "req-refused-then-retry");
  expect(status).toBe(200);
  expect(event).toMatchObject({ status: "ok", attempts: 2, fallback: false, deploymentId: "dep_retried_refuse-once" });
  expect(event.usage).toMatchObject({ inputTokens: 500 + 7, outputTokens: 300 + 3 });
  expect(event.costMicros).toBe(REFUSED_COST + GOOD_COST);
});

test("refused answers followed by a good fallback: every call charged, each at its own deployment's price", async () => {
  const { status, event } = await send("recovers", "req-refused-then-fallback");
  expect(status).toBe(200);
  expect(event).toMatchObject({ status: "ok", attempts: 3, fallback: true, deploymentId: "dep_recovers_good-dear", vendorModel: "good-dear" });
  expect(event.usage).toMatchObject({ inputTokens: 2 * 500 + 7, outputTokens: 2 * 300 + 3 });
  expect(event.costMicros).toBe(2 * REFUSED_COST + DEAR_GOOD_COST);
});

test("refused answers and then a fallback that answers with errors: the refused calls are still charged, the errors not", async () => {
  const { status, event } = await send("refused-then-500", "req-refused-then-500");
  expect(status).toBe(502);
  expect(event).toMatchObject({ status: "error", attempts: 4, deploymentId: "dep_refused-then-500_garbage-500" });
  expect(event.usage).toMatchObject({ inputTokens: 1_000, outputTokens: 600 });
  expect(event.costMicros).toBe(2 * REFUSED_COST);
});

test("a stream refused before its first chunk whose retry streams the answer: the estimate for the refused call plus the streamed usage", async () => {
  const { status, event } = await send("stream-recovers", "req-refused-stream-then-ok", true, true);
  expect(status).toBe(200);
  expect(event).toMatchObject({ status: "ok", stream: true, attempts: 2 });
  const refused = estimate("stream-recovers", "stream-refuse-once");
  expect(event.usage).toMatchObject({ inputTokens: refused + 7, outputTokens: 3 });
  expect(event.costMicros).toBe(refused + GOOD_COST);
});

test("a refused 200 embeddings answer, and its retry refused too: each charged the prompt_tokens the vendor reported in it", async () => {
  const input = "a text the vendor embedded before its answer was refused";
  const error = await fx.client(proxy).embeddings.create({ model: "embeds", input }, { headers: { "x-request-id": "req-refused-embeddings" } }).catch((e) => e);
  expect(error.status).toBe(502);
  await waitFor(() => fx.origin.events().some((e) => e.requestId === "req-refused-embeddings"), "usage event");
  const event = fx.origin.events().find((e) => e.requestId === "req-refused-embeddings")!;
  expect(event).toMatchObject({ status: "error", endpoint: "embeddings", errorCode: "upstream_invalid_response", attempts: 2 });
  expect(estimateEmbeddingTokens(input)).not.toBe(2);
  expect(event.usage).toMatchObject({ inputTokens: 2 * 2, outputTokens: 0 });
  expect(event.costMicros).toBe(2 * 2);
});

test("a refused embeddings answer whose retry answers: the refused call's reported usage plus the answer's", async () => {
  const input = "a text embedded twice";
  const answer = await fx.client(proxy).embeddings.create({ model: "embeds-recovers", input }, { headers: { "x-request-id": "req-refused-embeddings-then-ok" } });
  expect(answer.data).toHaveLength(1);
  await waitFor(() => fx.origin.events().some((e) => e.requestId === "req-refused-embeddings-then-ok"), "usage event");
  const event = fx.origin.events().find((e) => e.requestId === "req-refused-embeddings-then-ok")!;
  expect(event).toMatchObject({ status: "ok", endpoint: "embeddings", attempts: 2 });
  expect(estimateEmbeddingTokens(input)).not.toBe(2);
  expect(event.usage).toMatchObject({ inputTokens: 2 + 2, outputTokens: 0 });
  expect(event.costMicros).toBe(2 + 2);
});
