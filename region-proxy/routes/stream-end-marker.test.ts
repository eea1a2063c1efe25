/**
 * A stream is over at the vendor's end marker (OpenAI's `data: [DONE]`, Anthropic's message_stop),
 * not when the vendor closes the connection: a vendor that keeps it open gets its call closed, the
 * client its answer at once and the request settles `ok` with the reported usage; anything the vendor
 * sends after the marker never reaches the client. A streamed chunk the client's SDK cannot take is
 * a protocol error: before the first byte the next deployment answers, after it an error frame.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

const encoder = new TextEncoder();
const openaiChunk = (choices: unknown[], usage?: unknown) => `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: "m", choices, ...(usage ? { usage } : {}) })}\n\n`;
const openaiAnswer =
  openaiChunk([{ index: 0, delta: { role: "assistant", content: "Hello" }, finish_reason: null }]) +
  openaiChunk([{ index: 0, delta: {}, finish_reason: "stop" }]) +
  openaiChunk([], { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 }) +
  "data: [DONE]\n\n";
const anthropicEvent = (data: { type: string }) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
const anthropicAnswer = (text: string) =>
  [
    { type: "message_start", message: { usage: { input_tokens: 5, output_tokens: 1 } } },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } },
    { type: "content_block_stop", index: 0 },
    { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 2 } },
    { type: "message_stop" },
  ]
    .map(anthropicEvent)
    .join("");

/** What each vendor model streams, and whether the stream stays open after it. */
const SCRIPTS: Record<string, { body: string; keepOpen: boolean }> = {
  "done-then-open": { body: openaiAnswer, keepOpen: true },
  "done-then-more": { body: openaiAnswer + openaiChunk([{ index: 0, delta: { content: "INJECTED" }, finish_reason: null }]), keepOpen: false },
  "stop-then-open": { body: anthropicAnswer("Hello"), keepOpen: true },
  "stop-then-second-message": { body: anthropicAnswer("Hello") + anthropicAnswer("INJECTED"), keepOpen: false },
  "numeric-content-first": { body: openaiChunk([{ index: 0, delta: { role: "assistant", content: 5 }, finish_reason: null }]) + "data: [DONE]\n\n", keepOpen: false },
  "object-arguments-later": {
    body:
      openaiChunk([{ index: 0, delta: { role: "assistant", content: "Hi" }, finish_reason: null }]) +
      openaiChunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "f", arguments: { a: 1 } } }] }, finish_reason: null }]) +
      "data: [DONE]\n\n",
    keepOpen: false,
  },
};
/** Models whose stream the proxy closed (the vendor saw its response cancelled). */
const closedByProxy = new Set<string>();

const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  idleTimeout: 0,
  async fetch(req) {
    const model = ((await req.json()) as { model: string }).model;
    const script = SCRIPTS[model]!;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        // Sent in small pieces, as a vendor streams, so the proxy reads it in several reads.
        for (const piece of script.body.split(/(?<=\n\n)/)) controller.enqueue(encoder.encode(piece));
        if (!script.keepOpen) controller.close();
      },
      cancel() {
        closedByProxy.add(model);
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  },
});

let fx: ProxyFixture;
let proxy: RunningProxy;

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const [model, provider] of Object.entries({ "done-then-open": "openai", "done-then-more": "openai", "stop-then-open": "anthropic", "stop-then-second-message": "anthropic", "numeric-content-first": "openai", "object-arguments-later": "openai" } as const)) {
        const baseUrl = `http://127.0.0.1:${vendor.port}${provider === "openai" ? "/v1" : ""}`;
        s.deployments[`dep_${model}`] = { id: `dep_${model}`, provider, baseUrl, model, region: REGION, credentialRef: "env:ECHO_KEY" };
        s.aliases[model] = { name: model, chain: model === "numeric-content-first" ? [`dep_${model}`, "dep_echo1"] : [`dep_${model}`] };
        s.pricing[`${provider}:${model}`] = PRICE;
      }
    }),
  );
  // A short deadline: without the end marker a stream kept open would end in an upstream_timeout.
  proxy = await fx.startProxy({ totalTimeoutMs: 3_000 });
});
afterAll(async () => {
  await fx.cleanup();
  vendor.stop(true);
});

async function stream(model: string) {
  const started = Date.now();
  const res = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], stream: true }),
  });
  const text = await res.text();
  const elapsedMs = Date.now() - started;
  const id = res.headers.get("x-request-id");
  await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
  return { status: res.status, text, elapsedMs, event: fx.origin.events().find((e) => e.requestId === id)! };
}

for (const model of ["done-then-open", "stop-then-open"]) {
  test(`${model}: the answer ends at the marker, the vendor call is closed, the request is ok with the reported usage`, async () => {
    const { status, text, elapsedMs, event } = await stream(model);
    expect(status).toBe(200);
    expect(text).toContain('"content":"Hello"');
    expect(text).toContain('"finish_reason":"stop"');
    expect(text).not.toContain('"error"');
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(elapsedMs).toBeLessThan(2_000);
    expect(event.status).toBe("ok");
    expect(event.usage.inputTokens).toBe(5);
    await waitFor(() => closedByProxy.has(model), "the vendor stream closed");
  });
}

for (const model of ["done-then-more", "stop-then-second-message"]) {
  test(`${model}: nothing the vendor sends after the marker reaches the client`, async () => {
    const { text, event } = await stream(model);
    expect(text).toContain('"content":"Hello"');
    expect(text).not.toContain("INJECTED");
    expect(text).not.toContain('"error"');
    expect(event.status).toBe("ok");
    expect(event.usage.inputTokens).toBe(5);
  });
}

test("a numeric delta.content before the first byte is a protocol error: the next deployment answers", async () => {
  const { text, event } = await stream("numeric-content-first");
  expect(text).toContain('"content":"Echo:');
  expect(text).not.toContain('"content":5');
  expect(event.status).toBe("ok");
  const tried = event.attemptTrail!.map((t) => t.deploymentId);
  expect(tried[0]).toBe("dep_numeric-content-first");
  expect(tried.at(-1)).toBe("dep_echo1");
});

test("object tool call arguments after the first byte end the stream with an error frame, never forwarded", async () => {
  const { text, event } = await stream("object-arguments-later");
  expect(text).toContain('"content":"Hi"');
  expect(text).not.toContain('"arguments":{');
  expect(text).toContain('"upstream_invalid_response"');
  expect(event.status).toBe("error");
});
