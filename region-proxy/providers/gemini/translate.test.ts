import { describe, expect, test } from "bun:test";
import { assemble, fixtureJson, fixtureText, randomCuts, sseEvents, translate } from "../../../test/fixtures/replay.ts";
import { type ResponseContext, VendorProtocolError } from "../types.ts";
import { classifyGeminiError } from "./errors.ts";
import { parseGeminiResponse } from "./response.ts";
import { createGeminiStreamTranslator, GeminiStreamError } from "./stream.ts";

const ctx = (includeUsage = true): ResponseContext => ({ completionId: "chatcmpl-g1", created: 1700000000, model: "gemini-x", includeUsage });
const encoder = new TextEncoder();

async function replay(name: string, includeUsage = true, cuts: number[] = []) {
  return translate(createGeminiStreamTranslator(ctx(includeUsage)), sseEvents(encoder.encode(await fixtureText("gemini", name)), cuts));
}

describe("gemini stream translator on recorded streams", () => {
  test("modern stream: role chunk, text chunks, one finish chunk, usage chunk", async () => {
    const { chunks, usage } = await replay("stream-text.sse");
    expect(chunks.map((c) => [c.choices[0]?.delta ?? null, c.choices[0]?.finish_reason ?? null])).toEqual([
      [{ role: "assistant", content: "", refusal: null }, null],
      [{ content: "Hello!" }, null],
      [{ content: " How can I help you today" }, null],
      [{ content: "?" }, null],
      [{}, "stop"],
      [null, null],
    ]);
    expect(chunks.at(-1)).toMatchObject({ id: "chatcmpl-g1", choices: [], usage: { prompt_tokens: 1, completion_tokens: 9, total_tokens: 10 } });
    expect(usage).toEqual({ inputTokens: 1, outputTokens: 9, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  test("legacy stream with finishReason on every event finishes once; no usage means none", async () => {
    const { chunks, usage } = await replay("stream-text-legacy.sse", false);
    expect(chunks.filter((c) => c.choices[0]?.finish_reason).length).toBe(1);
    expect(assemble(chunks).content).toBe(
      "In the quaint, sunlit cottage nestled amidst a lush meadow, resided two feline companions named Mittens and Whiskers. Mittens, with her silky black fur and piercing green eyes, possessed an air of elegance and mystery. Whiskers, other and for adventure stronger than ever.",
    );
    expect(usage).toBeNull();
    expect(chunks.every((c) => !("usage" in c))).toBe(true);
  });

  test("same chunks and usage at random byte splits", async () => {
    for (const name of ["stream-text.sse", "stream-text-legacy.sse"]) {
      const whole = await replay(name);
      const length = encoder.encode(await fixtureText("gemini", name)).length;
      for (const cuts of randomCuts(length, 25, length)) expect(await replay(name, true, cuts)).toEqual(whole);
    }
  });

  test("whole functionCall parts become one tool_calls delta each, with indexes", () => {
    const t = createGeminiStreamTranslator(ctx(false));
    const ev = (o: unknown) => ({ event: null, data: JSON.stringify(o), id: null });
    const out = [
      ...t.onEvent(ev({ candidates: [{ content: { role: "model", parts: [{ text: "Let me check." }] } }] })),
      ...t.onEvent(ev({ candidates: [{ content: { role: "model", parts: [{ functionCall: { name: "a", args: { x: 1 } } }, { functionCall: { id: "g-2", name: "b", args: {} } }] }, finishReason: "STOP" }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 7, thoughtsTokenCount: 3 } })),
    ];
    const end = t.finish();
    const calls = [...out, ...end.chunks].flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls).toEqual([
      { index: 0, id: "call_g1_0", type: "function", function: { name: "a", arguments: '{"x":1}' } },
      { index: 1, id: "g-2", type: "function", function: { name: "b", arguments: "{}" } },
    ]);
    expect(assemble([...out, ...end.chunks]).finishReason).toBe("tool_calls");
    expect(end.usage).toEqual({ inputTokens: 5, outputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 3 });
  });

  test("an error event is classified; garbage and truncation are protocol errors", () => {
    const t = createGeminiStreamTranslator(ctx());
    let caught: unknown;
    try {
      t.onEvent({ event: null, data: '{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}', id: null });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(GeminiStreamError);
    expect((caught as GeminiStreamError).vendorError).toMatchObject({ retryable: true, reason: "status_503" });
    expect(() => createGeminiStreamTranslator(ctx()).onEvent({ event: null, data: "{oops", id: null })).toThrow(VendorProtocolError);
    expect(() => createGeminiStreamTranslator(ctx()).onEvent({ event: null, data: "[1,2]", id: null })).toThrow(VendorProtocolError);
    const cut = createGeminiStreamTranslator(ctx());
    cut.onEvent({ event: null, data: '{"candidates":[{"content":{"parts":[{"text":"half"}]}}]}', id: null });
    expect(() => cut.finish()).toThrow(VendorProtocolError);
  });

  test("thought summaries are not answer text", () => {
    const t = createGeminiStreamTranslator(ctx(false));
    const chunks = t.onEvent({ event: null, data: '{"candidates":[{"content":{"parts":[{"text":"thinking...","thought":true},{"text":"Answer"}]},"finishReason":"STOP"}]}', id: null });
    expect(assemble(chunks).content).toBe("Answer");
  });
});

describe("gemini parseResponse", () => {
  test("function call response from Google's cookbook", async () => {
    const { completion, usage } = parseGeminiResponse(await fixtureJson("gemini", "message-function-call.json"), ctx());
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: { role: "assistant", content: null, tool_calls: [{ id: "call_g1_0", type: "function", function: { name: "find_theaters", arguments: '{"movie":"Barbie","location":"Mountain View, CA"}' } }], refusal: null },
      finish_reason: "tool_calls",
      logprobs: null,
    });
    expect(usage.inputTokens).toBe(0);
  });

  test("thinking and cached tokens: output = candidates + thoughts, MAX_TOKENS is length", async () => {
    const { completion, usage } = parseGeminiResponse(await fixtureJson("gemini", "message-thinking.json"), ctx());
    expect(usage).toEqual({ inputTokens: 27, outputTokens: 200, cachedInputTokens: 20, cacheWriteTokens: 0, reasoningTokens: 194 });
    expect(completion.usage).toEqual({ prompt_tokens: 27, completion_tokens: 200, total_tokens: 227, prompt_tokens_details: { cached_tokens: 20 }, completion_tokens_details: { reasoning_tokens: 194 } });
    expect(completion.choices[0]?.finish_reason).toBe("length");
  });

  test("a blocked prompt is content_filter with no content", async () => {
    const { completion, usage } = parseGeminiResponse(await fixtureJson("gemini", "message-safety.json"), ctx());
    expect(completion.choices[0]).toMatchObject({ message: { content: null }, finish_reason: "content_filter" });
    expect(usage.inputTokens).toBe(8);
  });

  test("streamed and unstreamed versions of one answer give identical usage", async () => {
    const streamed = await replay("stream-text.sse");
    const plain = parseGeminiResponse(await fixtureJson("gemini", "message-hello.json"), ctx());
    expect(streamed.usage).toEqual(plain.usage);
    expect(assemble(streamed.chunks).content).toBe(plain.completion.choices[0]!.message.content!);
  });

  test("garbage is a protocol error", () => {
    expect(() => parseGeminiResponse({ foo: 1 }, ctx())).toThrow(VendorProtocolError);
    expect(() => parseGeminiResponse([], ctx())).toThrow(VendorProtocolError);
  });
});

describe("gemini classifyError on Google's error bodies", () => {
  test("429 with RetryInfo is retryable and waits as told", async () => {
    const e = classifyGeminiError(429, new Headers(), await fixtureText("gemini", "error-rate-limit.json"));
    expect(e).toMatchObject({ retryable: true, retryAfterMs: 37000, reason: "status_429" });
    expect(classifyGeminiError(429, new Headers({ "retry-after": "2" }), await fixtureText("gemini", "error-rate-limit.json")).retryAfterMs).toBe(2000);
  });

  test("503 overloaded and 500 are retryable", async () => {
    const body = await fixtureText("gemini", "error-overloaded.json");
    expect(classifyGeminiError(503, new Headers(), body)).toEqual({
      retryable: true,
      clientError: { kind: "upstream_error", message: "Gemini answered 503 UNAVAILABLE: The model is overloaded. Please try again later." },
      retryAfterMs: null,
      reason: "status_503",
    });
    for (const s of [500, 502, 504]) expect(classifyGeminiError(s, new Headers(), body).retryable).toBe(true);
  });

  test("a bad key (Google answers 400) is permanent with Google's message", async () => {
    const e = classifyGeminiError(400, new Headers(), await fixtureText("gemini", "error-invalid-key.json"));
    expect(e).toMatchObject({ retryable: false, reason: "status_400", clientError: { kind: "vendor_rejected", status: 400, message: "API key not valid. Please pass a valid API key.", code: "INVALID_ARGUMENT" } });
    for (const s of [401, 403, 404, 422]) expect(classifyGeminiError(s, new Headers(), "{}").retryable).toBe(false);
  });

  test("an over-long input is context_length", async () => {
    const e = classifyGeminiError(400, new Headers(), await fixtureText("gemini", "error-context-length.json"));
    expect(e).toMatchObject({ retryable: false, reason: "context_length", clientError: { code: "context_length_exceeded" } });
  });
});
