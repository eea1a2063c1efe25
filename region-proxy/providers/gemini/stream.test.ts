import { describe, expect, test } from "bun:test";
import { assemble, fixtureText, randomCuts, sseEvents, translate } from "../../../test/fixtures/replay.ts";
import { type ResponseContext, VendorProtocolError } from "../types.ts";
import { END_GRACE_MS, LEGACY_END_GRACE_MS, createGeminiStreamTranslator } from "./stream.ts";
import { VendorStreamError } from "../vendor-stream-error.ts";
import { readSseBatches } from "../sse-reader.ts";
import { reads, readsThenHang } from "../testing/reads.ts";
import type { ChatCompletionChunk, SseEvent } from "../types.ts";
import { readUntilChunks, vendorEvents } from "../vendor-stream.ts";
import type { NormalizedUsage } from "../../../shared/money/cost.ts";

const ctx = (includeUsage = true): ResponseContext => ({ completionId: "chatcmpl-g1", created: 1700000000, model: "gemini-x", includeUsage });
const encoder = new TextEncoder();
/** The answer of stream-text-legacy-usage.sse, its five events' text joined. */
const LEGACY_USAGE_TEXT = "def bubble_sort(list1):\n  n = len(list1)\n  for i in range(n-1):\n    for j in range(n-i-1):\n      if list1[j] > list1[j+1]:\n        list1[j], list1[j+1] = list1[j+1], list1[j]\n  return list1\n";

/** An older model's event: finishReason STOP and the usage so far (`output` tokens of it) on it. */
const legacyEvent = (text: string, output: number): SseEvent => ({
  event: null,
  id: null,
  data: JSON.stringify({ candidates: [{ content: { parts: [{ text }], role: "model" }, finishReason: "STOP", index: 0 }], usageMetadata: { promptTokenCount: 21, candidatesTokenCount: output, totalTokenCount: 21 + output } }),
});

/** Reads a vendor body as the proxy does (readUntilChunks) until the stream ends: all chunks, the final usage. */
async function readAll(batches: AsyncGenerator<SseEvent[]>) {
  const events = vendorEvents(batches);
  const t = createGeminiStreamTranslator(ctx());
  const chunks: ChatCompletionChunk[] = [];
  let step = { chunks: [] as ChatCompletionChunk[], done: false, usage: null as NormalizedUsage | null };
  while (!step.done) {
    step = await readUntilChunks(events, t);
    chunks.push(...step.chunks);
  }
  void events.batches.return(undefined).catch(() => {});
  return { chunks, usage: step.usage };
}

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
    for (const name of ["stream-text.sse", "stream-text-legacy.sse", "stream-text-legacy-usage.sse"]) {
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
      { index: 0, id: expect.stringMatching(/^call_[0-9a-hjkmnp-tv-z]{24}$/), type: "function", function: { name: "a", arguments: '{"x":1}' } },
      { index: 1, id: "g-2", type: "function", function: { name: "b", arguments: "{}" } },
    ]);
    expect(assemble([...out, ...end.chunks]).finishReason).toBe("tool_calls");
    expect(end.usage).toEqual({ inputTokens: 5, outputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 3 });
  });

  test("a tool call id the stream makes is fresh for each call, even under a reused request id", () => {
    const ev = { event: null, data: JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ functionCall: { name: "a", args: {} } }, { functionCall: { name: "a", args: {} } }] }, finishReason: "STOP" }] }), id: null };
    const ids = () => createGeminiStreamTranslator(ctx(false)).onEvent(ev).flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).map((call) => call.id);
    const all = [...ids(), ...ids()];
    expect(all).toHaveLength(4);
    expect(new Set(all).size).toBe(4);
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

  test("the event with a finishReason and usage makes the answer complete: the stream may end if nothing follows it within END_GRACE_MS", async () => {
    const t = createGeminiStreamTranslator(ctx());
    const events = sseEvents(encoder.encode(await fixtureText("gemini", "stream-text.sse")));
    const seen = events.map((e) => {
      t.onEvent(e);
      return t.endsIfQuietForMs!();
    });
    expect(seen).toEqual([null, null, null, END_GRACE_MS]);
    expect(t.ended).toBeUndefined(); // no hard end: a later event may still come (an older model's stream)
    expect(t.finish().usage).toEqual({ inputTokens: 1, outputTokens: 9, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  test("usage sent after the finishReason event is waited for: the answer is complete at it and bills it", () => {
    const t = createGeminiStreamTranslator(ctx());
    const ev = (o: unknown) => ({ event: null, data: JSON.stringify(o), id: null });
    t.onEvent(ev({ candidates: [{ content: { parts: [{ text: "Hi" }] } }], usageMetadata: { trafficType: "ON_DEMAND" } }));
    t.onEvent(ev({ candidates: [{ content: { parts: [{ text: "!" }] }, finishReason: "STOP" }], usageMetadata: { trafficType: "ON_DEMAND" } }));
    expect(t.endsIfQuietForMs!()).toBeNull();
    t.onEvent(ev({ usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 } }));
    expect(t.endsIfQuietForMs!()).toBe(END_GRACE_MS);
    const end = t.finish();
    expect(end.usage).toEqual({ inputTokens: 4, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(end.chunks.map((c) => c.choices[0]?.finish_reason ?? null)).toEqual(["stop", null]);
  });

  test("prompt counts on events before the finishReason do not make the answer complete; a legacy stream (finishReason everywhere, no usage) ends at EOF", async () => {
    const t = createGeminiStreamTranslator(ctx());
    t.onEvent({ event: null, data: JSON.stringify({ candidates: [{ content: { parts: [{ text: "Paris" }] } }], usageMetadata: { promptTokenCount: 11, totalTokenCount: 11 } }), id: null });
    expect(t.endsIfQuietForMs!()).toBeNull();
    const legacy = createGeminiStreamTranslator(ctx());
    for (const e of sseEvents(encoder.encode(await fixtureText("gemini", "stream-text-legacy.sse")))) {
      legacy.onEvent(e);
      expect(legacy.endsIfQuietForMs!()).toBeNull();
    }
  });

  test("an older model's stream with finishReason STOP and cumulative usage on every event: all its text, one finish, the last event's usage", async () => {
    const { chunks, usage } = await replay("stream-text-legacy-usage.sse");
    expect(assemble(chunks)).toMatchObject({ content: LEGACY_USAGE_TEXT, finishReason: "stop" });
    expect(chunks.filter((c) => c.choices[0]?.finish_reason).length).toBe(1);
    expect(usage).toEqual({ inputTokens: 21, outputTokens: 87, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 21, completion_tokens: 87, total_tokens: 108 } });
  });

  test("an older model's stream read as the proxy reads it (readUntilChunks), one event per read: every event is translated, whether the body ends at EOF or is held open (then it ends after LEGACY_END_GRACE_MS)", async () => {
    const parts = (await fixtureText("gemini", "stream-text-legacy-usage.sse")).split(/(?<=\n\n)/);
    expect(parts.length).toBe(5);
    for (const [body, heldOpen] of [[reads(...parts), false], [readsThenHang(...parts), true]] as const) {
      const started = Date.now();
      const { chunks, usage } = await readAll(readSseBatches(body));
      expect(assemble(chunks).content).toBe(LEGACY_USAGE_TEXT);
      expect(usage).toEqual({ inputTokens: 21, outputTokens: 87, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
      if (heldOpen) expect(Date.now() - started).toBeGreaterThanOrEqual(LEGACY_END_GRACE_MS - 50);
    }
  }, LEGACY_END_GRACE_MS + 20_000);

  test("a stream that only ever showed finishReason STOP and usage on every event (an older model, or a one-event answer) gets LEGACY_END_GRACE_MS; one that showed an event without a finishReason first gets END_GRACE_MS", async () => {
    const legacy = createGeminiStreamTranslator(ctx());
    for (const e of sseEvents(encoder.encode(await fixtureText("gemini", "stream-text-legacy-usage.sse")))) {
      legacy.onEvent(e);
      expect(legacy.endsIfQuietForMs!()).toBe(LEGACY_END_GRACE_MS);
    }
    const single = createGeminiStreamTranslator(ctx());
    single.onEvent(legacyEvent("Paris.", 2));
    expect(single.endsIfQuietForMs!()).toBe(LEGACY_END_GRACE_MS);
    const current = createGeminiStreamTranslator(ctx());
    current.onEvent({ event: null, data: JSON.stringify({ candidates: [{ content: { parts: [{ text: "Par" }] } }] }), id: null });
    current.onEvent(legacyEvent("is.", 2));
    expect(current.endsIfQuietForMs!()).toBe(END_GRACE_MS);
    // The grace is long enough for a pause between two chunks of one answer, short enough to end well before the default 120 s deadline.
    expect(LEGACY_END_GRACE_MS).toBeGreaterThan(END_GRACE_MS);
  });

  test("an older model's stream that pauses 1.5 s between two events (longer than END_GRACE_MS) reaches the client whole and is billed at the last event's usage", async () => {
    async function* body() {
      yield [legacyEvent("part one, ", 5)];
      await Bun.sleep(1_500);
      yield [legacyEvent("part two.", 10)];
    }
    const { chunks, usage } = await readAll(body());
    expect(assemble(chunks)).toMatchObject({ content: "part one, part two.", finishReason: "stop" });
    expect(chunks.filter((c) => c.choices[0]?.finish_reason).length).toBe(1);
    expect(usage).toEqual({ inputTokens: 21, outputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  test("thought summaries are not answer text", () => {
    const t = createGeminiStreamTranslator(ctx(false));
    const chunks = t.onEvent({ event: null, data: '{"candidates":[{"content":{"parts":[{"text":"thinking...","thought":true},{"text":"Answer"}]},"finishReason":"STOP"}]}', id: null });
    expect(assemble(chunks).content).toBe("Answer");
  });
});
