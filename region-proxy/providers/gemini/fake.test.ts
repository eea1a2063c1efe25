/**
 * End to end against the fake Gemini: buildRequest → fetch (here, in the test) → parseResponse, or
 * SseParser + the stream translator; and classifyError on the fake's real error answers.
 */
import { describe, expect, test } from "bun:test";
import { adapterAgainstFake, adapterFaultTests, systemAndUser, translateUntilThrow } from "../../../test/fakes/adapter-against-fake.ts";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import { assemble } from "../../../test/fixtures/replay.ts";
import type { ChatRequest, ResponseContext } from "../types.ts";
import { VendorStreamError } from "../vendor-stream-error.ts";
import { geminiAdapter } from "./adapter.ts";

const ctx: ResponseContext = { completionId: "chatcmpl-ge2e", created: 1, model: "gemini-fake", includeUsage: true };
const vendor = adapterAgainstFake({
  adapter: geminiAdapter,
  start: startFakeGemini,
  key: "AIza-fake",
  target: (baseUrl, model = "gemini-fake") => ({ id: "dep_g", provider: "gemini", baseUrl, model, region: "eu", credentialRef: "env:G" }),
  ctx,
});
const { send, stream } = vendor;
const request = systemAndUser("hello there friend");

async function complete(req: ChatRequest, model?: string) {
  const res = await send(req, model);
  expect(res.status).toBe(200);
  return geminiAdapter.parseResponse(await res.json(), ctx);
}

describe("gemini adapter against the fake", () => {
  test("unstreamed echo, and what the vendor saw", async () => {
    const fake = vendor.fake();
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
      expect(vendor.fake().lastRequest()?.path).toBe(`/v1beta/models/${model}:streamGenerateContent?alt=sse`);
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
    expect(streamed.toolCalls).toEqual([{ id: expect.stringMatching(/^call_[0-9a-hjkmnp-tv-z]{24}$/), name: "lookup", arguments: '{"echo":"please call tool"}' }]);
    expect(streamed.toolCalls[0]!.id).not.toBe(call.id);
    // gemini-3 models refuse a replayed call without a thought signature; the adapter supplies one.
    const followUp = await complete(request({ messages: [{ role: "user", content: "please call tool" }, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: call.id, content: "42" }], tools }), "gemini-3-fake");
    expect(followUp.completion.choices[0]?.message.content).toBe("Echo: tool result received");
    const unsigned = await fetch(`${vendor.fake().url}/v1beta/models/gemini-3-fake:generateContent`, {
      method: "POST",
      headers: { "x-goog-api-key": "AIza-fake", "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "x" }] }, { role: "model", parts: [{ functionCall: { name: "lookup", args: {} } }] }, { role: "user", parts: [{ functionResponse: { name: "lookup", response: {} } }] }] }),
    });
    expect(unsigned.status).toBe(400);
  });

  test("a gemini-3 model signs its function calls, and takes back only a signature it issued or Google's bypass value (400 Corrupted thought signature.)", async () => {
    const post = (model: string, contents: unknown[]) =>
      fetch(`${vendor.fake().url}/v1beta/models/${model}:generateContent`, {
        method: "POST",
        headers: { "x-goog-api-key": "AIza-fake", "content-type": "application/json" },
        body: JSON.stringify({ contents, tools: [{ functionDeclarations: [{ name: "lookup" }] }] }),
      });
    const ask = { role: "user", parts: [{ text: "call tool" }] };
    const answered = (await (await post("gemini-3-fake", [ask])).json()) as { candidates: { content: { parts: Record<string, unknown>[] } }[] };
    const part = answered.candidates[0]!.content.parts[0]!;
    const signature = part.thoughtSignature;
    expect([typeof signature, part.functionCall]).toEqual(["string", { name: "lookup", args: { echo: "call tool" } }]);
    const streamed = (await vendor.streamEvents(request({ messages: [{ role: "user", content: "call tool" }], tools: [{ type: "function", function: { name: "lookup" } }] }), "gemini-3-fake")).map((e) => JSON.parse(e.data));
    expect(typeof streamed.at(-1).candidates[0].content.parts[0].thoughtSignature).toBe("string");
    expect(((await (await post("gemini-2.5-flash", [ask])).json()) as typeof answered).candidates[0]!.content.parts[0]!.thoughtSignature).toBeUndefined();
    const replay = (thoughtSignature: string) => post("gemini-3-fake", [ask, { role: "model", parts: [{ functionCall: { name: "lookup", args: {} }, thoughtSignature }] }, { role: "user", parts: [{ functionResponse: { name: "lookup", response: {} } }] }]);
    expect((await replay(signature as string)).status).toBe(200);
    expect((await replay("skip_thought_signature_validator")).status).toBe(200);
    const forged = await replay("CiQBjz1rX0ZMforged");
    expect([forged.status, await forged.json()]).toEqual([400, { error: { code: 400, message: "Corrupted thought signature.", status: "INVALID_ARGUMENT" } }]);
  });

  test("JSON mode, stop sequences and max tokens", async () => {
    const json = (await complete(request({ response_format: { type: "json_object" } }))).completion;
    expect(JSON.parse(json.choices[0]!.message.content!)).toEqual({ echo: "hello there friend" });
    const stopped = (await complete(request({ stop: "there" }))).completion;
    expect(stopped.choices[0]).toMatchObject({ message: { content: "Echo: hello " }, finish_reason: "stop" });
    const cut = (await complete(request({ max_completion_tokens: 2 }))).completion;
    expect(cut.choices[0]).toMatchObject({ message: { content: "Echo: hello" }, finish_reason: "length" });
  });

  test("a nullable string enum in a tool's parameters or a response schema is accepted (Gemini's enum takes strings only)", async () => {
    const unit = { type: ["string", "null"], enum: ["c", "f", null] };
    const tools = [{ type: "function", function: { name: "weather", parameters: { type: "object", properties: { unit } } } }];
    expect((await complete(request({ tools }))).completion.choices[0]!.message.content).toBe("Echo: hello there friend");
    const response_format = { type: "json_schema", json_schema: { name: "w", schema: { type: "object", properties: { unit } } } };
    expect((await complete(request({ response_format }))).completion.choices[0]!.finish_reason).toBe("stop");
  });

  test("candidateCount: each event carries the next piece of every candidate still writing, each under its index", async () => {
    const events = (await vendor.streamEvents(request({ raw: { n: 2 } }), "gemini-2.5-flash")).map((e) => JSON.parse(e.data) as { candidates: { index: number; finishReason?: string }[] });
    expect(events.map((e) => e.candidates.map((c) => `${c.index}${c.finishReason ? `:${c.finishReason}` : ""}`))).toEqual([["0", "1"], ["0", "1"], ["0:STOP", "1"], ["1:STOP"]]);
    const plain = (await complete(request({ raw: { n: 2 } }), "gemini-2.5-flash")).completion;
    expect(plain.choices.map((c) => [c.index, c.message.content])).toEqual([[0, "Echo: hello there friend"], [1, "Echo take 2: hello there friend"]]);
  });

  test("a blocked prompt is content_filter in both modes", async () => {
    expect((await complete(request(), "safety")).completion.choices[0]?.finish_reason).toBe("content_filter");
    expect(assemble((await stream(request(), "safety")).chunks).finishReason).toBe("content_filter");
  });

  const OVERLOADED = { error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } };
  const INVALID = { error: { code: 400, message: "Invalid value at 'contents[0].parts[0]' (oneof), oneof field 'data' is already set.", status: "INVALID_ARGUMENT" } };
  const STREAM_ERRORS = [
    ["stream-error-overloaded", OVERLOADED, 0],
    ["stream-error-invalid", INVALID, 0],
    ["stream-error-late", OVERLOADED, 1],
  ] as const;

  test("stream-error-*: Google's error JSON in the 200 SSE body on lines of its own, not a data: event, after the first text event for stream-error-late", async () => {
    for (const [model, error, eventsBefore] of STREAM_ERRORS) {
      const res = await send(vendor.streamed(request()), model);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      const parts = (await res.text()).split("\r\n\r\n");
      const rest = parts.pop()!;
      expect([model, parts.length, parts.every((p) => p.startsWith("data: {"))]).toEqual([model, eventsBefore, true]);
      expect([model, rest.startsWith("{\n"), JSON.parse(rest)]).toEqual([model, true, error]);
    }
  });

  test("stream-error-*: the stream fails as the status its error object stands for, stream-error-late after its first text", async () => {
    // The SSE reader turns the unframed error object at the body's end into one last `error` event.
    for (const [model] of STREAM_ERRORS) {
      const { chunks, thrown } = translateUntilThrow(geminiAdapter.createStreamTranslator(ctx), await vendor.streamEvents(request(), model));
      const verdict = thrown instanceof VendorStreamError ? [thrown.vendorError.retryable, thrown.vendorError.reason] : null;
      expect([model, verdict, assemble(chunks).content]).toEqual([model, model === "stream-error-invalid" ? [false, "status_400"] : [true, "status_503"], model === "stream-error-late" ? "Echo: hello" : ""]);
    }
  });

  test("unstreamed, each stream-error model answers the HTTP error its error object stands for", async () => {
    for (const [model, error] of STREAM_ERRORS) {
      const res = await send(request(), model);
      expect([model, res.status]).toEqual([model, error.error.code]);
      expect([model, geminiAdapter.classifyError(res.status, res.headers, await res.text()).reason]).toEqual([model, `status_${error.error.code}`]);
    }
  });

  test("the fake refuses inlineData of a MIME type Gemini refuses (Unsupported MIME type, 400 INVALID_ARGUMENT), as Gemini does; the types it takes pass", async () => {
    const post = (mimeType: string) =>
      fetch(`${vendor.fake().url}/v1beta/models/gemini-fake:generateContent`, {
        method: "POST",
        headers: { "x-goog-api-key": "AIza-fake", "content-type": "application/json" },
        body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "what is this?" }, { inlineData: { mimeType, data: "PHN2Zz4=" } }] }] }),
      });
    for (const mimeType of ["image/svg+xml", "image/bmp", "image/jpg", "application/json"]) {
      const res = await post(mimeType);
      expect([mimeType, res.status, await res.json()]).toEqual([mimeType, 400, { error: { code: 400, message: `Unsupported MIME type: ${mimeType}`, status: "INVALID_ARGUMENT" } }]);
    }
    for (const mimeType of ["image/png", "image/jpeg", "image/webp", "image/heic", "image/heif", "application/pdf", "text/plain", "audio/wav", "video/mp4"]) {
      expect([mimeType, (await post(mimeType)).status]).toEqual([mimeType, 200]);
    }
  });

  adapterFaultTests(vendor, {
    adapter: geminiAdapter,
    ctx,
    request,
    overloadedStatus: 503,
    wrongKeyStatus: 400,
    wrongKeyUnsaid: ["API key not valid"],
  });
});
