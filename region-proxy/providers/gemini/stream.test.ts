import { describe, expect, test } from "bun:test";
import { assemble, fixtureText, randomCuts, sseEvents, translate } from "../../../test/fixtures/replay.ts";
import { type ResponseContext, VendorProtocolError } from "../types.ts";
import { createGeminiStreamTranslator } from "./stream.ts";
import { VendorStreamError } from "../vendor-stream-error.ts";

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
    expect(caught).toBeInstanceOf(VendorStreamError);
    expect((caught as VendorStreamError).vendorError).toMatchObject({ retryable: true, reason: "status_503" });
    expect(() => createGeminiStreamTranslator(ctx()).onEvent({ event: null, data: "{oops", id: null })).toThrow(VendorProtocolError);
    expect(() => createGeminiStreamTranslator(ctx()).onEvent({ event: null, data: "[1,2]", id: null })).toThrow(VendorProtocolError);
    const cut = createGeminiStreamTranslator(ctx());
    cut.onEvent({ event: null, data: '{"candidates":[{"content":{"parts":[{"text":"half"}]}}]}', id: null });
    expect(() => cut.finish()).toThrow(VendorProtocolError);
  });

  test("the event with a finishReason and usage ends the stream: ended() tells the reader, nothing after it is translated", async () => {
    const t = createGeminiStreamTranslator(ctx());
    const events = sseEvents(encoder.encode(await fixtureText("gemini", "stream-text.sse")));
    const seen = events.map((e) => {
      t.onEvent(e);
      return t.ended!();
    });
    expect(seen).toEqual([false, false, false, true]);
    const after = t.onEvent({ event: null, data: JSON.stringify({ candidates: [{ content: { parts: [{ text: "INJECTED" }] }, finishReason: "STOP" }], usageMetadata: { promptTokenCount: 99, candidatesTokenCount: 99 } }), id: null });
    expect(after).toEqual([]);
    expect(t.finish().usage).toEqual({ inputTokens: 1, outputTokens: 9, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  test("usage sent after the finishReason event is waited for: the stream ends at it and bills it", () => {
    const t = createGeminiStreamTranslator(ctx());
    const ev = (o: unknown) => ({ event: null, data: JSON.stringify(o), id: null });
    t.onEvent(ev({ candidates: [{ content: { parts: [{ text: "Hi" }] } }], usageMetadata: { trafficType: "ON_DEMAND" } }));
    t.onEvent(ev({ candidates: [{ content: { parts: [{ text: "!" }] }, finishReason: "STOP" }], usageMetadata: { trafficType: "ON_DEMAND" } }));
    expect(t.ended!()).toBe(false);
    t.onEvent(ev({ usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 } }));
    expect(t.ended!()).toBe(true);
    const end = t.finish();
    expect(end.usage).toEqual({ inputTokens: 4, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(end.chunks.map((c) => c.choices[0]?.finish_reason ?? null)).toEqual(["stop", null]);
  });

  test("prompt counts on events before the finishReason do not end the stream; a legacy stream (finishReason everywhere, no usage) ends at EOF", async () => {
    const t = createGeminiStreamTranslator(ctx());
    t.onEvent({ event: null, data: JSON.stringify({ candidates: [{ content: { parts: [{ text: "Paris" }] } }], usageMetadata: { promptTokenCount: 11, totalTokenCount: 11 } }), id: null });
    expect(t.ended!()).toBe(false);
    const legacy = createGeminiStreamTranslator(ctx());
    for (const e of sseEvents(encoder.encode(await fixtureText("gemini", "stream-text-legacy.sse")))) {
      legacy.onEvent(e);
      expect(legacy.ended!()).toBe(false);
    }
  });

  test("thought summaries are not answer text", () => {
    const t = createGeminiStreamTranslator(ctx(false));
    const chunks = t.onEvent({ event: null, data: '{"candidates":[{"content":{"parts":[{"text":"thinking...","thought":true},{"text":"Answer"}]},"finishReason":"STOP"}]}', id: null });
    expect(assemble(chunks).content).toBe("Answer");
  });
});
