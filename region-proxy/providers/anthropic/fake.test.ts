/**
 * End to end against the fake Anthropic: buildRequest → fetch (here, in the test) → parseResponse, or
 * SseParser + the stream translator; and classifyError on the fake's real error answers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { assemble, readUntilQuiet, translate } from "../../../test/fixtures/replay.ts";
import { readSseBatches } from "../sse-reader.ts";
import { type ChatRequest, type ResponseContext, type SseEvent, VendorProtocolError } from "../types.ts";
import { anthropicAdapter } from "./adapter.ts";

let fake: FakeVendor;
beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: "sk-ant-fake" });
});
afterAll(async () => {
  await fake.stop();
});

const target = (model = "claude-fake"): SnapshotDeployment => ({ id: "dep_a", provider: "anthropic", baseUrl: fake.url, model, region: "us", credentialRef: "env:K" });
const ctx: ResponseContext = { completionId: "chatcmpl-e2e", created: 1, model: "claude-fake", includeUsage: true };
const request = (fields: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "alias",
  messages: [
    { role: "system", content: "You echo." },
    { role: "user", content: "hello there" },
  ],
  stream: false,
  includeUsage: true,
  raw: {},
  ...fields,
});

async function send(req: ChatRequest, model?: string, key = "sk-ant-fake", signal?: AbortSignal) {
  const http = anthropicAdapter.buildRequest(req, target(model), key);
  return fetch(http.url, { method: http.method, headers: http.headers, body: http.body, signal });
}

async function stream(req: ChatRequest, model?: string) {
  const res = await send({ ...req, stream: true }, model);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const events: SseEvent[] = [];
  for await (const batch of readSseBatches(res.body!)) events.push(...batch);
  return translate(anthropicAdapter.createStreamTranslator(ctx), events);
}

describe("anthropic adapter against the fake", () => {
  test("unstreamed echo, with the request the vendor saw", async () => {
    const before = fake.calls();
    const res = await send(request());
    expect(res.status).toBe(200);
    const { completion, usage } = anthropicAdapter.parseResponse(await res.json(), ctx);
    expect(completion.choices[0]?.message.content).toBe("Echo: hello there");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBe(3);
    expect(fake.calls()).toBe(before + 1);
    const seen = fake.lastRequest()!;
    expect(seen.path).toBe("/v1/messages");
    expect(seen.headers["x-api-key"]).toBe("sk-ant-fake");
    expect(seen.body).toMatchObject({ model: "claude-fake", system: [{ type: "text", text: "You echo." }], max_tokens: 4096 });
  });

  test("streamed and unstreamed answers agree on content and usage", async () => {
    const req = request({ messages: [{ role: "user", content: "one two three four" }] });
    const plain = anthropicAdapter.parseResponse(await (await send(req)).json(), ctx);
    const streamed = await stream(req);
    expect(assemble(streamed.chunks).content).toBe(plain.completion.choices[0]!.message.content!);
    expect(streamed.usage).toEqual(plain.usage);
    expect(streamed.chunks.at(-1)?.usage?.completion_tokens).toBe(plain.usage.outputTokens);
  });

  test("prompt-cache usage survives both paths", async () => {
    const plain = anthropicAdapter.parseResponse(await (await send(request(), "claude-cached")).json(), ctx);
    const streamed = await stream(request(), "claude-cached");
    expect(plain.usage).toMatchObject({ cachedInputTokens: 11, cacheWriteTokens: 7 });
    expect(streamed.usage).toEqual(plain.usage);
  });

  test("a tool call, streamed and not", async () => {
    const req = request({
      messages: [{ role: "user", content: "please call tool now" }],
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { echo: { type: "string" } } } } }],
    });
    const plain = anthropicAdapter.parseResponse(await (await send(req)).json(), ctx).completion;
    expect(plain.choices[0]?.finish_reason).toBe("tool_calls");
    expect(plain.choices[0]?.message.tool_calls?.[0]?.function).toEqual({ name: "lookup", arguments: '{"echo":"please call tool now"}' });
    const streamed = assemble((await stream(req)).chunks);
    expect(streamed.finishReason).toBe("tool_calls");
    expect(streamed.toolCalls).toEqual([{ id: "toolu_fake01", name: "lookup", arguments: '{"echo":"please call tool now"}' }]);
  });

  test("response_format json_schema comes back as JSON content", async () => {
    const req = request({ response_format: { type: "json_schema", json_schema: { name: "echo", schema: { type: "object" } } } });
    const plain = anthropicAdapter.parseResponse(await (await send(req)).json(), ctx).completion;
    expect(JSON.parse(plain.choices[0]!.message.content!)).toEqual({ echo: "hello there" });
    expect(plain.choices[0]?.finish_reason).toBe("stop");
    const streamed = assemble((await stream(req)).chunks);
    expect(JSON.parse(streamed.content)).toEqual({ echo: "hello there" });
    expect(streamed.finishReason).toBe("stop");
  });

  test("stop sequences and max tokens", async () => {
    const stop = anthropicAdapter.parseResponse(await (await send(request({ stop: ["there"] }))).json(), ctx).completion;
    expect(stop.choices[0]).toMatchObject({ message: { content: "Echo: hello " }, finish_reason: "stop" });
    // The blank before the cut is streamed too: streamed and unstreamed text agree.
    expect(assemble((await stream(request({ stop: ["there"] }))).chunks).content).toBe("Echo: hello ");
    const cut = anthropicAdapter.parseResponse(await (await send(request({ max_tokens: 2 }))).json(), ctx).completion;
    expect(cut.choices[0]).toMatchObject({ message: { content: "Echo: hello" }, finish_reason: "length" });
  });

  test("the fake names the stop sequence that matched, unstreamed and in message_delta", async () => {
    const plain = (await (await send(request({ stop: ["zzz", "there", "hello"] }))).json()) as { stop_reason: string; stop_sequence: string | null };
    expect(plain).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "hello" });
    const res = await send(request({ stop: ["there"], stream: true }));
    const events: SseEvent[] = [];
    for await (const batch of readSseBatches(res.body!)) events.push(...batch);
    const delta = JSON.parse(events.find((e) => e.event === "message_delta")!.data) as { delta: unknown };
    expect(delta.delta).toEqual({ stop_reason: "stop_sequence", stop_sequence: "there" });
    const ended = (await (await send(request())).json()) as { stop_reason: string; stop_sequence: string | null };
    expect(ended).toMatchObject({ stop_reason: "end_turn", stop_sequence: null });
  });

  test("fault modes classify as the executor needs", async () => {
    const cases: [string, boolean, string][] = [
      ["error-500", true, "status_500"],
      ["overloaded", true, "status_529"],
      ["rate-limit", true, "status_429"],
      ["error-400", false, "status_400"],
      ["context-length", false, "context_length"],
    ];
    for (const [model, retryable, reason] of cases) {
      const res = await send(request(), model);
      const verdict = anthropicAdapter.classifyError(res.status, res.headers, await res.text());
      expect([model, verdict.retryable, verdict.reason]).toEqual([model, retryable, reason]);
    }
    const limited = await send(request(), "rate-limit");
    expect(anthropicAdapter.classifyError(limited.status, limited.headers, await limited.text()).retryAfterMs).toBe(1000);
  });

  test("a wrong key is a 401 in Anthropic's shape, surfaced as the gateway's credential problem", async () => {
    const res = await send(request(), undefined, "wrong");
    expect(res.status).toBe(401);
    const verdict = anthropicAdapter.classifyError(res.status, res.headers, await res.text());
    expect(verdict).toMatchObject({ retryable: false, reason: "credential_rejected", clientError: { kind: "upstream_error" } });
    expect(JSON.stringify(verdict)).not.toContain("x-api-key");
  });

  test("hang never answers until the client gives up", async () => {
    const controller = new AbortController();
    const pending = send(request(), "hang", "sk-ant-fake", controller.signal);
    const raced = await Promise.race([pending.then(() => "answered", () => "failed"), Bun.sleep(150).then(() => "waiting")]);
    expect(raced).toBe("waiting");
    controller.abort();
    expect(await pending.then(() => "answered", () => "aborted")).toBe("aborted");
  });

  test("garbage, a cut stream and a silent stream are all caught", async () => {
    const bad = await send(request(), "garbage");
    expect(bad.status).toBe(200);
    const text = await bad.text();
    expect(() => anthropicAdapter.parseResponse(JSON.parse(text), ctx)).toThrow(SyntaxError);
    const garbled = await readUntilQuiet((await send({ ...request(), stream: true }, "garbage")).body!, 1000);
    expect(() => translate(anthropicAdapter.createStreamTranslator(ctx), garbled.events)).toThrow(VendorProtocolError);
    const cut = await readUntilQuiet((await send({ ...request(), stream: true }, "stream-cut")).body!, 1000);
    expect(cut).toMatchObject({ ended: true, events: { length: 2 } });
    expect(() => translate(anthropicAdapter.createStreamTranslator(ctx), cut.events)).toThrow(VendorProtocolError);
    const silent = await readUntilQuiet((await send({ ...request(), stream: true }, "stream-hang")).body!, 200);
    expect(silent).toMatchObject({ ended: false, events: { length: 2 } });
  });
});
