/**
 * An error event the vendor sends inside a 200 stream (Anthropic's `event: error`, Gemini's, OpenAI's
 * and Azure's `{"error":...}` event) before anything reached the client counts as the HTTP error it
 * stands for:
 * a transient one (overloaded, 5xx) is retried and falls back, a permanent one (an invalid request)
 * fails fast with the vendor's message in OpenAI's error shape and leaves the breaker closed, and a
 * context-length refusal moves to the next deployment. After the first byte the stream still ends
 * with an error frame and never falls back.
 *
 * The fake vendors' stream-error-* models send the events (test/fakes); a scripted server sends the
 * ones no fake does: Anthropic's prompt-too-long as an event, and Gemini's error as a `data:` event
 * (the fake Gemini writes it as Google does, unframed JSON: gemini/unframed-stream-error.test.ts).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../test/fakes/anthropic.ts";
import { startFakeAzure } from "../../test/fakes/azure.ts";
import type { FakeVendor } from "../../test/fakes/fake-server.ts";
import { startFakeOpenAI } from "../../test/fakes/openai.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

const anthropic = (data: { type: string }) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
const anthropicError = (type: string, message: string) => anthropic({ type: "error", error: { type, message } } as { type: string });
const gemini = (data: unknown) => `data: ${JSON.stringify(data)}\r\n\r\n`;

/** What the fakes' stream-error-invalid and stream-error-content-filter events say (test/fakes). */
const INVALID = "messages.0.content: Input should be a valid list";
const OPENAI_INVALID = "Invalid value for 'temperature': must be at most 2.";
const AZURE_FILTERED =
  "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766";
const TOO_LONG = "prompt is too long: 205000 tokens > 200000 maximum";
const GEMINI_INVALID = "* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must be positive.";

type FakeProvider = "anthropic" | "openai" | "azure";
/** The fake vendor model behind each alias. */
const FAKED: Record<string, { provider: FakeProvider; model: string }> = {
  "a-invalid": { provider: "anthropic", model: "stream-error-invalid" },
  "a-overloaded": { provider: "anthropic", model: "stream-error-overloaded" },
  "a-late": { provider: "anthropic", model: "stream-error-late" },
  "o-late": { provider: "openai", model: "stream-error-late" },
  "o-invalid": { provider: "openai", model: "stream-error-invalid" },
  "o-server-error": { provider: "openai", model: "stream-error-overloaded" },
  "az-filtered": { provider: "azure", model: "stream-error-content-filter" },
};
/** What the scripted vendor streams in its 200 answer for each alias (its model) no fake covers. */
const SCRIPTS: Record<string, { provider: "anthropic" | "gemini"; body: string }> = {
  "a-context": { provider: "anthropic", body: anthropicError("invalid_request_error", TOO_LONG) },
  "g-invalid": { provider: "gemini", body: gemini({ error: { code: 400, message: GEMINI_INVALID, status: "INVALID_ARGUMENT" } }) },
  "g-overloaded": { provider: "gemini", body: gemini({ error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } }) },
};
const calls = new Map<string, number>();

const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  async fetch(req) {
    const path = new URL(req.url).pathname;
    const inPath = /\/models\/([^/:]+):streamGenerateContent/.exec(path)?.[1];
    const model = inPath ? decodeURIComponent(inPath) : ((await req.json()) as { model: string }).model;
    calls.set(model, (calls.get(model) ?? 0) + 1);
    return new Response(SCRIPTS[model]!.body, { headers: { "content-type": "text/event-stream" } });
  },
});

/** The key the fakes accept, which the proxies hold as FAKE_KEY. */
const FAKE_KEY = "sk-fake-stream-errors";
const fakes = {} as Record<FakeProvider, FakeVendor>;
let fx: ProxyFixture;
let proxy: RunningProxy;

/** The proxy's credentials: the fixture's, and the fakes' key. */
const credentials = () => ({ ...fx.proxyConfig().credentials, FAKE_KEY });

beforeAll(async () => {
  fx = await createProxyFixture();
  fakes.anthropic = await startFakeAnthropic({ apiKey: FAKE_KEY });
  fakes.openai = await startFakeOpenAI({ apiKey: FAKE_KEY });
  fakes.azure = await startFakeAzure({ apiKey: FAKE_KEY });
  await fx.publish(
    fx.snapshot(1, (s) => {
      const add = (alias: string, provider: FakeProvider | "gemini", baseUrl: string, model: string, credential: string) => {
        s.deployments[`dep_${alias}`] = { id: `dep_${alias}`, provider, baseUrl, model, region: REGION, credentialRef: `env:${credential}` };
        s.aliases[alias] = { name: alias, chain: [`dep_${alias}`, "dep_echo1"] };
        s.pricing[`${provider}:${model}`] = PRICE;
      };
      for (const [alias, { provider, model }] of Object.entries(FAKED)) add(alias, provider, `${fakes[provider].url}${provider === "openai" ? "/v1" : ""}`, model, "FAKE_KEY");
      for (const [model, { provider }] of Object.entries(SCRIPTS)) add(model, provider, `http://127.0.0.1:${vendor.port}`, model, "ECHO_KEY");
    }),
  );
  // A breaker that never opens: each test sees every attempt its request makes.
  proxy = await fx.startProxy({ credentials: credentials() }, { health: createMemoryBreaker({ failureThreshold: 1_000_000 }) });
});
afterAll(async () => {
  await fx.cleanup();
  await Promise.all(Object.values(fakes).map((fake) => fake.stop()));
  vendor.stop(true);
});

/** The calls the vendor serving `alias` has had (a fake's, all its models', as the tests run one at a time). */
const vendorCallsFor = (alias: string) => {
  const faked = FAKED[alias];
  return faked ? fakes[faked.provider].calls() : (calls.get(alias) ?? 0);
};

async function stream(model: string, to = proxy) {
  const echoBefore = fx.vendor.calls("echo-1");
  const vendorBefore = vendorCallsFor(model);
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
    vendorCalls: vendorCallsFor(model) - vendorBefore,
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
  expect(JSON.parse(text).error).toEqual({ message: OPENAI_INVALID, type: "invalid_request_error", param: "temperature", code: "invalid_value" });
  expect(vendorCalls).toBe(1);
  expect(echoCalls).toBe(0);
  expect(event).toMatchObject({ status: "error", errorCode: "invalid_value", attempts: 1 });
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

test("an overloaded_error event after the first content ends the stream with an error frame saying so, no retry, no fallback", async () => {
  const { res, text, event, trail, vendorCalls, echoCalls } = await stream("a-late");
  expect(res.status).toBe(200);
  expect(text).toContain('"content":"Echo:"');
  const frames = text.split("\n\n").filter((f) => f.startsWith("data: "));
  // The vendor's own error, as it would have been before the first chunk: not upstream_invalid_response (garbage).
  expect(JSON.parse(frames.at(-1)!.slice(6)).error).toMatchObject({ code: "upstream_error", message: expect.stringContaining("overloaded_error") });
  expect(text).not.toContain("data: [DONE]");
  expect(vendorCalls).toBe(1);
  expect(echoCalls).toBe(0);
  expect(event).toMatchObject({ status: "error", errorCode: "upstream_error", attempts: 1 });
  expect(trail).toEqual([["dep_a-late", "error", "status_529"]]);
});

test("an OpenAI server_error object after the first content: upstream_error quoting it, the trail says status_500", async () => {
  const { text, event, trail, echoCalls } = await stream("o-late");
  const frames = text.split("\n\n").filter((f) => f.startsWith("data: "));
  expect(JSON.parse(frames.at(-1)!.slice(6)).error.code).toBe("upstream_error");
  expect(echoCalls).toBe(0);
  expect(event).toMatchObject({ status: "error", errorCode: "upstream_error" });
  expect(trail).toEqual([["dep_o-late", "error", "status_500"]]);
});

test("an invalid_request_error event says the deployment is up: the breaker stays closed, as for an HTTP 400", async () => {
  const guarded = await fx.startProxy({ dataDir: fx.freshDataDir(), credentials: credentials() }, { health: createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 }) });
  for (let i = 0; i < 2; i++) {
    const { res, trail, vendorCalls } = await stream("a-invalid", guarded);
    expect(res.status).toBe(400);
    expect(vendorCalls).toBe(1);
    expect(trail).toEqual([["dep_a-invalid", "error", "status_400"]]);
  }
  await guarded.stop();
});
