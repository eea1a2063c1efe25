/**
 * End to end against the fake Gemini: buildRequest → fetch (here, in the test) → parseResponse, or
 * SseParser + the stream translator; and classifyError on the fake's real error answers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import { assemble, readUntilQuiet, translate } from "../../../test/fixtures/replay.ts";
import { readSseBatches } from "../sse-reader.ts";
import { type ChatRequest, type ResponseContext, type SseEvent, VendorProtocolError } from "../types.ts";
import { geminiAdapter } from "./adapter.ts";

let fake: FakeVendor;
beforeAll(async () => {
  fake = await startFakeGemini({ apiKey: "AIza-fake" });
});
afterAll(async () => {
  await fake.stop();
});

const target = (model = "gemini-fake"): SnapshotDeployment => ({ id: "dep_g", provider: "gemini", baseUrl: fake.url, model, region: "eu", credentialRef: "env:G" });
const ctx: ResponseContext = { completionId: "chatcmpl-ge2e", created: 1, model: "gemini-fake", includeUsage: true };
const request = (fields: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "alias",
  messages: [
    { role: "system", content: "You echo." },
    { role: "user", content: "hello there friend" },
  ],
  stream: false,
  includeUsage: true,
  raw: {},
  ...fields,
});

async function send(req: ChatRequest, model?: string, key = "AIza-fake", signal?: AbortSignal) {
  const http = geminiAdapter.buildRequest(req, target(model), key);
  return fetch(http.url, { method: http.method, headers: http.headers, body: http.body, signal });
}
async function complete(req: ChatRequest, model?: string) {
  const res = await send(req, model);
  expect(res.status).toBe(200);
  return geminiAdapter.parseResponse(await res.json(), ctx);
}
async function stream(req: ChatRequest, model?: string) {
  const res = await send({ ...req, stream: true }, model);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const events: SseEvent[] = [];
  for await (const batch of readSseBatches(res.body!)) events.push(...batch);
  return translate(geminiAdapter.createStreamTranslator(ctx), events);
}

describe("gemini adapter against the fake", () => {
  test("unstreamed echo, and what the vendor saw", async () => {
    const before = fake.calls();
    const { completion, usage } = await complete(request());
    expect(completion.choices[0]).toMatchObject({ message: { content: "Echo: hello there friend" }, finish_reason: "stop" });
    expect(usage.outputTokens).toBe(4);
    expect(fake.calls()).toBe(before + 1);
    const seen = fake.lastRequest()!;
    expect(seen.path).toBe("/v1beta/models/gemini-fake:generateContent");
    expect(seen.headers["x-goog-api-key"]).toBe("AIza-fake");
    expect(seen.body).toMatchObject({ systemInstruction: { parts: [{ text: "You echo." }] }, contents: [{ role: "user", parts: [{ text: "hello there friend" }] }] });
  });

  test("streamed and unstreamed answers agree on content and usage (thinking and cache included)", async () => {
    for (const model of ["gemini-fake", "gemini-thinking-cached"]) {
      const plain = await complete(request(), model);
      const streamed = await stream(request(), model);
      expect(fake.lastRequest()?.path).toBe(`/v1beta/models/${model}:streamGenerateContent?alt=sse`);
      expect(assemble(streamed.chunks).content).toBe(plain.completion.choices[0]!.message.content!);
      expect(streamed.usage).toEqual(plain.usage);
    }
    const thinking = await complete(request(), "gemini-thinking-cached");
    expect(thinking.usage).toMatchObject({ reasoningTokens: 13, cachedInputTokens: 4, outputTokens: 4 + 13 });
  });

  test("function calls, streamed and not, then the tool result round trip", async () => {
    const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { echo: { type: "string" } } } } }];
    const req = request({ messages: [{ role: "user", content: "please call tool" }], tools });
    const plain = (await complete(req)).completion;
    expect(plain.choices[0]?.finish_reason).toBe("tool_calls");
    const call = plain.choices[0]!.message.tool_calls![0]!;
    expect(call.function).toEqual({ name: "lookup", arguments: '{"echo":"please call tool"}' });
    const streamed = assemble((await stream(req)).chunks);
    expect(streamed.finishReason).toBe("tool_calls");
    expect(streamed.toolCalls).toEqual([{ id: "call_ge2e_0", name: "lookup", arguments: '{"echo":"please call tool"}' }]);
    // gemini-3 models refuse a replayed call without a thought signature; the adapter supplies one.
    const followUp = await complete(request({ messages: [{ role: "user", content: "please call tool" }, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: call.id, content: "42" }], tools }), "gemini-3-fake");
    expect(followUp.completion.choices[0]?.message.content).toBe("Echo: tool result received");
    const unsigned = await fetch(`${fake.url}/v1beta/models/gemini-3-fake:generateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": "AIza-fake", "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "x" }] }, { role: "model", parts: [{ functionCall: { name: "lookup", args: {} } }] }, { role: "user", parts: [{ functionResponse: { name: "lookup", response: {} } }] }] }),
    });
    expect(unsigned.status).toBe(400);
  });

  test("JSON mode, stop sequences and max tokens", async () => {
    const json = (await complete(request({ response_format: { type: "json_object" } }))).completion;
    expect(JSON.parse(json.choices[0]!.message.content!)).toEqual({ echo: "hello there friend" });
    const stopped = (await complete(request({ stop: "there" }))).completion;
    expect(stopped.choices[0]).toMatchObject({ message: { content: "Echo: hello " }, finish_reason: "stop" });
    const cut = (await complete(request({ max_completion_tokens: 2 }))).completion;
    expect(cut.choices[0]).toMatchObject({ message: { content: "Echo: hello" }, finish_reason: "length" });
  });

  test("a blocked prompt is content_filter in both modes", async () => {
    expect((await complete(request(), "safety")).completion.choices[0]?.finish_reason).toBe("content_filter");
    expect(assemble((await stream(request(), "safety")).chunks).finishReason).toBe("content_filter");
  });

  test("fault modes classify as the executor needs", async () => {
    const cases: [string, boolean, string][] = [
      ["error-500", true, "status_500"],
      ["overloaded", true, "status_503"],
      ["rate-limit", true, "status_429"],
      ["error-400", false, "status_400"],
      ["context-length", false, "context_length"],
    ];
    for (const [model, retryable, reason] of cases) {
      const res = await send(request(), model);
      const verdict = geminiAdapter.classifyError(res.status, res.headers, await res.text());
      expect([model, verdict.retryable, verdict.reason]).toEqual([model, retryable, reason]);
    }
    const limited = await send(request(), "rate-limit");
    expect(geminiAdapter.classifyError(limited.status, limited.headers, await limited.text()).retryAfterMs).toBe(1000);
  });

  test("a wrong key is Google's 400 API_KEY_INVALID, not retried, the gateway's credential problem", async () => {
    const res = await send(request(), undefined, "wrong");
    expect(res.status).toBe(400);
    expect(geminiAdapter.classifyError(res.status, res.headers, await res.text())).toMatchObject({ retryable: false, reason: "credential_rejected", clientError: { kind: "upstream_error" } });
  });

  test("hang never answers until the client gives up", async () => {
    const controller = new AbortController();
    const pending = send(request(), "hang", "AIza-fake", controller.signal);
    expect(await Promise.race([pending.then(() => "answered", () => "failed"), Bun.sleep(150).then(() => "waiting")])).toBe("waiting");
    controller.abort();
    expect(await pending.then(() => "answered", () => "aborted")).toBe("aborted");
  });

  test("garbage, a cut stream and a silent stream are all caught", async () => {
    const bad = await send(request(), "garbage");
    expect(bad.status).toBe(200);
    const text = await bad.text();
    expect(() => geminiAdapter.parseResponse(JSON.parse(text), ctx)).toThrow(SyntaxError);
    const garbled = await readUntilQuiet((await send({ ...request(), stream: true }, "garbage")).body!, 1000);
    expect(() => translate(geminiAdapter.createStreamTranslator(ctx), garbled.events)).toThrow(VendorProtocolError);
    const cut = await readUntilQuiet((await send({ ...request(), stream: true }, "stream-cut")).body!, 1000);
    expect(cut).toMatchObject({ ended: true, events: { length: 2 } });
    expect(() => translate(geminiAdapter.createStreamTranslator(ctx), cut.events)).toThrow(VendorProtocolError);
    const silent = await readUntilQuiet((await send({ ...request(), stream: true }, "stream-hang")).body!, 200);
    expect(silent).toMatchObject({ ended: false, events: { length: 2 } });
  });
});
