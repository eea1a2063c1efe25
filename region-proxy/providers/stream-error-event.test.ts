/**
 * An error event the vendor sends inside a 200 stream (Anthropic's `event: error`, Gemini's, OpenAI's
 * and Azure's `{"error":...}` event) before anything reached the client counts as the HTTP error it
 * stands for:
 * a transient one (overloaded, 5xx) is retried and falls back, a permanent one (an invalid request)
 * fails fast with the vendor's message in OpenAI's error shape and leaves the breaker closed, and a
 * context-length refusal moves to the next deployment. After the first byte the stream still ends
 * with an error frame and never falls back.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

const anthropic = (data: { type: string }) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
const messageStart = anthropic({ type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "m", content: [], usage: { input_tokens: 5, output_tokens: 1 } } } as { type: string });
const anthropicError = (type: string, message: string) => anthropic({ type: "error", error: { type, message } } as { type: string });
const gemini = (data: unknown) => `data: ${JSON.stringify(data)}\r\n\r\n`;
const openai = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

const INVALID = "messages.1.content.0.tool_use.id: tool_use ids must be unique";
const TOO_LONG = "prompt is too long: 205000 tokens > 200000 maximum";
const GEMINI_INVALID = "* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must be positive.";
const OPENAI_INVALID = "Invalid 'messages[0].content': string too long. Expected a string with maximum length 10485760.";
const AZURE_FILTERED = "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.";

/** What each vendor model streams in its 200 answer. */
const SCRIPTS: Record<string, { provider: "anthropic" | "gemini" | "openai" | "azure"; body: string }> = {
  "a-invalid": { provider: "anthropic", body: messageStart + anthropic({ type: "ping" }) + anthropicError("invalid_request_error", INVALID) },
  "a-context": { provider: "anthropic", body: anthropicError("invalid_request_error", TOO_LONG) },
  "a-overloaded": { provider: "anthropic", body: messageStart + anthropicError("overloaded_error", "Overloaded") },
  "a-invalid-late": {
    provider: "anthropic",
    body:
      messageStart +
      anthropic({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } } as { type: string }) +
      anthropic({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" } } as { type: string }) +
      anthropicError("invalid_request_error", INVALID),
  },
  "g-invalid": { provider: "gemini", body: gemini({ error: { code: 400, message: GEMINI_INVALID, status: "INVALID_ARGUMENT" } }) },
  "g-overloaded": { provider: "gemini", body: gemini({ error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } }) },
  "o-invalid": { provider: "openai", body: openai({ error: { message: OPENAI_INVALID, type: "invalid_request_error", param: "messages[0].content", code: "string_above_max_length" } }) },
  "o-server-error": { provider: "openai", body: openai({ error: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", param: null, code: null } }) },
  "az-filtered": { provider: "azure", body: openai({ error: { message: AZURE_FILTERED, type: null, param: "prompt", code: "content_filter", status: 400 } }) },
};
const calls = new Map<string, number>();

const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  async fetch(req) {
    const path = new URL(req.url).pathname;
    const inPath = /\/models\/([^/:]+):streamGenerateContent/.exec(path)?.[1] ?? /\/openai\/deployments\/([^/]+)\//.exec(path)?.[1];
    const model = inPath ? decodeURIComponent(inPath) : ((await req.json()) as { model: string }).model;
    calls.set(model, (calls.get(model) ?? 0) + 1);
    return new Response(SCRIPTS[model]!.body, { headers: { "content-type": "text/event-stream" } });
  },
});

let fx: ProxyFixture;
let proxy: RunningProxy;

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const [model, { provider }] of Object.entries(SCRIPTS)) {
        const baseUrl = `http://127.0.0.1:${vendor.port}${provider === "openai" ? "/v1" : ""}`;
        s.deployments[`dep_${model}`] = { id: `dep_${model}`, provider, baseUrl, model, region: REGION, credentialRef: "env:ECHO_KEY" };
        s.aliases[model] = { name: model, chain: [`dep_${model}`, "dep_echo1"] };
        s.pricing[`${provider}:${model}`] = PRICE;
      }
    }),
  );
  // A breaker that never opens: each test sees every attempt its request makes.
  proxy = await fx.startProxy({}, { health: createMemoryBreaker({ failureThreshold: 1_000_000 }) });
});
afterAll(async () => {
  await fx.cleanup();
  vendor.stop(true);
});

async function stream(model: string, to = proxy) {
  const echoBefore = fx.vendor.calls("echo-1");
  const vendorBefore = calls.get(model) ?? 0;
  const res = await fetch(`${to.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "ping" }], stream: true }),
  });
  const text = await res.text();
  const id = res.headers.get("x-request-id");
  await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
  const event = fx.origin.events().find((e) => e.requestId === id)!;
  return {
    res,
    text,
    event,
    trail: event.attemptTrail!.map((s) => [s.deploymentId, s.outcome, s.reason]),
    vendorCalls: (calls.get(model) ?? 0) - vendorBefore,
    echoCalls: fx.vendor.calls("echo-1") - echoBefore,
  };
}

test("an invalid_request_error event before any content: a 400 with Anthropic's message, no retry, no fallback", async () => {
  const { res, text, event, trail, vendorCalls, echoCalls } = await stream("a-invalid");
  expect(res.status).toBe(400);
  expect(res.headers.get("x-should-retry")).toBe("false");
  expect(res.headers.get("x-gateway-attempts")).toBe("1");
  expect(JSON.parse(text).error).toEqual({ message: INVALID, type: "invalid_request_error", param: null, code: "invalid_request_error" });
  expect(vendorCalls).toBe(1);
  expect(echoCalls).toBe(0);
  expect(event).toMatchObject({ status: "error", errorCode: "invalid_request_error", attempts: 1, deploymentId: "dep_a-invalid", fallback: false });
  expect(trail).toEqual([["dep_a-invalid", "error", "status_400"]]);
});

test("a Gemini INVALID_ARGUMENT error event before any content: a 400 with Gemini's message, no retry, no fallback", async () => {
  const { res, text, event, trail, vendorCalls, echoCalls } = await stream("g-invalid");
  expect(res.status).toBe(400);
  expect(JSON.parse(text).error).toEqual({ message: GEMINI_INVALID, type: "invalid_request_error", param: null, code: "INVALID_ARGUMENT" });
  expect(vendorCalls).toBe(1);
  expect(echoCalls).toBe(0);
  expect(event).toMatchObject({ status: "error", attempts: 1 });
  expect(trail).toEqual([["dep_g-invalid", "error", "status_400"]]);
});

test("an OpenAI invalid_request_error object before any content: a 400 with OpenAI's message, code and param, no retry, no fallback", async () => {
  const { res, text, event, trail, vendorCalls, echoCalls } = await stream("o-invalid");
  expect(res.status).toBe(400);
  expect(JSON.parse(text).error).toEqual({ message: OPENAI_INVALID, type: "invalid_request_error", param: "messages[0].content", code: "string_above_max_length" });
  expect(vendorCalls).toBe(1);
  expect(echoCalls).toBe(0);
  expect(event).toMatchObject({ status: "error", errorCode: "string_above_max_length", attempts: 1 });
  expect(trail).toEqual([["dep_o-invalid", "error", "status_400"]]);
});

test("an Azure content_filter error object before any content: a 400 with Azure's message, no fallback, the trail says content_filter", async () => {
  const { res, text, trail, vendorCalls, echoCalls } = await stream("az-filtered");
  expect(res.status).toBe(400);
  expect(JSON.parse(text).error).toMatchObject({ message: AZURE_FILTERED, code: "content_filter", param: "prompt" });
  expect(vendorCalls).toBe(1);
  expect(echoCalls).toBe(0);
  expect(trail).toEqual([["dep_az-filtered", "error", "content_filter"]]);
});

test("a prompt-too-long error event moves on to the next deployment at once, as Anthropic's HTTP 400 does", async () => {
  const { res, text, event, trail, vendorCalls, echoCalls } = await stream("a-context");
  expect(res.status).toBe(200);
  expect(text).toContain('"content":"Echo:');
  expect(vendorCalls).toBe(1);
  expect(echoCalls).toBe(1);
  expect(event).toMatchObject({ status: "ok", deploymentId: "dep_echo1", fallback: true });
  expect(trail).toEqual([
    ["dep_a-context", "error", "context_length"],
    ["dep_echo1", "ok", null],
  ]);
});

for (const [model, reason] of [
  ["a-overloaded", "status_529"],
  ["g-overloaded", "status_503"],
  ["o-server-error", "status_500"],
] as const) {
  test(`an overloaded or server error event before any content (${model}) is retried once, then the next deployment answers`, async () => {
    const { res, text, event, trail, vendorCalls, echoCalls } = await stream(model);
    expect(res.status).toBe(200);
    expect(text).toContain('"content":"Echo:');
    expect(vendorCalls).toBe(2);
    expect(echoCalls).toBe(1);
    expect(event).toMatchObject({ status: "ok", deploymentId: "dep_echo1", fallback: true });
    expect(trail).toEqual([
      [`dep_${model}`, "error", reason],
      [`dep_${model}`, "error", reason],
      ["dep_echo1", "ok", null],
    ]);
  });
}

test("an invalid_request_error event after the first content ends the stream with an error frame, no fallback", async () => {
  const { res, text, event, vendorCalls, echoCalls } = await stream("a-invalid-late");
  expect(res.status).toBe(200);
  expect(text).toContain('"content":"Hi"');
  const frames = text.split("\n\n").filter((f) => f.startsWith("data: "));
  expect(JSON.parse(frames.at(-1)!.slice(6)).error.code).toBe("upstream_invalid_response");
  expect(text).not.toContain("data: [DONE]");
  expect(vendorCalls).toBe(1);
  expect(echoCalls).toBe(0);
  expect(event).toMatchObject({ status: "error", errorCode: "upstream_invalid_response", attempts: 1 });
});

test("an invalid_request_error event says the deployment is up: the breaker stays closed, as for an HTTP 400", async () => {
  const guarded = await fx.startProxy({ dataDir: fx.freshDataDir() }, { health: createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 }) });
  for (let i = 0; i < 2; i++) {
    const { res, trail, vendorCalls } = await stream("a-invalid", guarded);
    expect(res.status).toBe(400);
    expect(vendorCalls).toBe(1);
    expect(trail).toEqual([["dep_a-invalid", "error", "status_400"]]);
  }
  await guarded.stop();
});
