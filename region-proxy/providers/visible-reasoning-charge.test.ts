/**
 * An OpenAI-format reasoning model (DeepSeek, vLLM, OpenRouter) streams its thinking as visible text
 * (`delta.reasoning_content`, or `delta.reasoning`) before its answer. When the vendor's usage never
 * comes (the client leaves mid-think, the stream is cut, or the vendor sends none), the output is
 * estimated from what was answered: that reasoning counts, one token per 4 characters, as reasoning
 * tokens (of the output, priced at the reasoning rate), streamed or not. It counted nothing, so a client
 * that left during a long think was charged no output at all. The vendor's own usage, when it comes, is
 * charged exactly.
 */
import { afterAll, expect, test } from "bun:test";
import { costMicros } from "../../shared/money/cost.ts";
import { SCRIPTED_PRICE } from "../testing/scripted-vendor.ts";
import { fakeDeployment, useVendorProxy } from "./testing/use-vendor-proxy.ts";

const THOUGHT = "Let me think about this step by step. "; // 38 characters
const THOUGHTS = 200;
const base = { id: "chatcmpl-ds", created: 1, model: "deepseek-reasoner" };
const chunk = (delta: unknown, extra: Record<string, unknown> = {}) => ({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: null }], ...extra });
const VENDOR_USAGE = { prompt_tokens: 10, completion_tokens: 2000, total_tokens: 2010, completion_tokens_details: { reasoning_tokens: 1990 } };
const enc = new TextEncoder();

/** Streams THOUGHTS deltas of reasoning, then (by model) hangs until the call is aborted, or answers and ends. */
const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  async fetch(req) {
    const body = (await req.json()) as { model: string; stream?: boolean };
    if (!body.stream) {
      return Response.json({
        ...base,
        object: "chat.completion",
        choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "4", reasoning_content: THOUGHT.repeat(THOUGHTS) } }],
      });
    }
    const stream = new ReadableStream({
      async start(controller) {
        const send = (o: unknown) => controller.enqueue(enc.encode(`data: ${JSON.stringify(o)}\n\n`));
        send(chunk({ role: "assistant", content: null, reasoning_content: "" }));
        for (let i = 0; i < THOUGHTS; i++) send(chunk({ content: null, reasoning_content: THOUGHT }));
        if (body.model === "ds-hang") {
          await new Promise((aborted) => req.signal.addEventListener("abort", aborted));
          return;
        }
        send(chunk({ content: "4" }));
        send({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
        if (body.model === "ds-usage") send({ ...base, object: "chat.completion.chunk", choices: [], usage: VENDOR_USAGE });
        controller.enqueue(enc.encode("data: [DONE]\n\n"));
        controller.close();
      },
    });
    return new Response(stream, { headers: { "content-type": "text/event-stream" } });
  },
});
afterAll(() => vendor.stop(true));

const t = useVendorProxy({
  configure(s) {
    for (const model of ["ds-hang", "ds-usage", "ds-nousage"]) {
      s.deployments[`dep_${model}`] = fakeDeployment(`dep_${model}`, "openai", `http://127.0.0.1:${vendor.port}/v1`, model);
      s.aliases[model] = { name: model, chain: [`dep_${model}`] };
      s.pricing[`openai:${model}`] = SCRIPTED_PRICE;
    }
  },
});

const messages = [{ role: "user" as const, content: "hard problem" }];
/** ceil(200 × 38 / 4): the reasoning the client was sent. */
const REASONING = Math.ceil((THOUGHTS * THOUGHT.length) / 4);

test("a client that leaves mid-think is charged the reasoning it was streamed, at the reasoning rate", async () => {
  const controller = new AbortController();
  const res = await t.post({ model: "ds-hang", messages, stream: true }, controller.signal);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  while ((seen.match(/step by step/g) ?? []).length < THOUGHTS) seen += decoder.decode((await reader.read()).value, { stream: true });
  controller.abort();
  const event = await t.usageEvent(res.headers.get("x-request-id"));
  expect(event.status).toBe("client_closed");
  expect(event.usage).toMatchObject({ outputTokens: REASONING, reasoningTokens: REASONING });
  expect(event.costMicros).toBe(costMicros(event.usage, SCRIPTED_PRICE, event.eventId));
  expect(event.costMicros).toBeGreaterThanOrEqual(REASONING * 3); // 3 µ$ a reasoning token
});

test("an answer without the vendor's usage is charged its reasoning, streamed or not, and shown that charge", async () => {
  const client = t.fx.client(t.proxy);
  const { data: plain, response } = await client.chat.completions.create({ model: "ds-nousage", messages }).withResponse();
  const plainEvent = await t.usageEvent(response.headers.get("x-request-id"));
  // "4" is one token of answer besides the reasoning.
  expect(plainEvent.usage).toMatchObject({ outputTokens: REASONING + 1, reasoningTokens: REASONING });
  expect(plain.usage).toMatchObject({ completion_tokens: REASONING + 1, completion_tokens_details: { reasoning_tokens: REASONING } });

  const { data: streamed, response: streamedResponse } = await client.chat.completions
    .create({ model: "ds-nousage", messages, stream: true, stream_options: { include_usage: true } })
    .withResponse();
  const chunks = [];
  for await (const c of streamed) chunks.push(c);
  const streamedEvent = await t.usageEvent(streamedResponse.headers.get("x-request-id"));
  expect(streamedEvent.usage).toEqual(plainEvent.usage);
  expect(chunks.at(-1)!.usage).toMatchObject({ completion_tokens: REASONING + 1, completion_tokens_details: { reasoning_tokens: REASONING } });
});

test("a stream that ends with the vendor's usage is charged exactly that usage: no estimate of its reasoning is added", async () => {
  const client = t.fx.client(t.proxy);
  const { data, response } = await client.chat.completions.create({ model: "ds-usage", messages, stream: true, stream_options: { include_usage: true } }).withResponse();
  const chunks = [];
  for await (const c of data) chunks.push(c);
  const event = await t.usageEvent(response.headers.get("x-request-id"));
  expect(event.status).toBe("ok");
  expect(event.usage).toEqual({ inputTokens: 10, outputTokens: 2000, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 1990 });
  expect(chunks.at(-1)!.usage).toMatchObject(VENDOR_USAGE);
});
