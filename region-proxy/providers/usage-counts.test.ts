/**
 * Vendor usage counts and the gateway's estimates are billed only as non-negative integers within
 * MAX_REQUEST_TOKENS: garbage usage counts as missing (the request is charged the estimate, as if no
 * usage was sent, and the client sees that estimate), estimates count only text, and a choice
 * without a delta or a malformed one never turns into an internal TypeError.
 */
import { describe, expect, test } from "bun:test";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import { parseAnthropicResponse } from "./anthropic/response.ts";
import { createAnthropicStreamTranslator } from "./anthropic/stream.ts";
import { convertAnthropicUsage } from "./anthropic/usage.ts";
import { parseGeminiResponse } from "./gemini/response.ts";
import { createGeminiStreamTranslator } from "./gemini/stream.ts";
import { convertGeminiUsage } from "./gemini/usage.ts";
import { parseOpenAIResponse } from "./openai/response.ts";
import { createOpenAIStreamTranslator } from "./openai/stream.ts";
import { convertOpenAIUsage } from "./openai/usage.ts";
import { readSseBatches } from "./sse-reader.ts";
import { reads } from "./testing/reads.ts";
import { type ChatCompletion, type ChatCompletionChunk, type ResponseContext, type SseEvent, type StreamTranslator, VendorProtocolError } from "./types.ts";
import { estimatedUsage, MAX_REQUEST_TOKENS } from "./usage-counts.ts";
import { committedStream, readUntilChunks, usageSoFar, vendorEvents, type VendorStream } from "./vendor-stream.ts";

const PROMPT = 40;
const ctx = (includeUsage = false): ResponseContext => ({ completionId: "chatcmpl-gw", created: 1, model: "m", includeUsage, promptEstimate: () => PROMPT });
const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0 && n <= MAX_REQUEST_TOKENS;
const expectBillable = (usage: NormalizedUsage) => expect(Object.values(usage).every(isCount)).toBe(true);

/** A committed stream over SSE text, read to its end: what the client got and what is charged. */
async function stream(translator: StreamTranslator, ...parts: string[]): Promise<{ chunks: ChatCompletionChunk[]; charged: NormalizedUsage; vendor: VendorStream }> {
  const events = vendorEvents(readSseBatches(reads(...parts)));
  const first = await readUntilChunks(events, translator);
  const vendor = committedStream(events, translator, first, { abort() {}, cleanup() {}, timedOut: () => false, redact: (e) => e });
  const chunks = [...first.chunks];
  for (let done = first.done; !done; ) {
    const step = await vendor.next();
    chunks.push(...step.chunks);
    done = step.done;
  }
  vendor.close();
  // What stream-response.ts settles.
  return { chunks, charged: vendor.usage() ?? vendor.usageSoFar(PROMPT), vendor };
}

/** Passes each event's JSON through as a chunk, as a translator may (OpenAI's forwards the vendor's chunks). */
const passThrough = (): StreamTranslator => ({
  onEvent: (event: SseEvent) => [JSON.parse(event.data) as ChatCompletionChunk],
  finish: () => ({ chunks: [], usage: null }),
});
const frame = (choices: unknown[]) => `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: "m", choices })}\n\n`;

describe("streamed estimates count only text", () => {
  test("a finish chunk without a delta is no text: the text of the same read still goes out", async () => {
    const { chunks, charged } = await stream(passThrough(), frame([{ index: 0, delta: { role: "assistant", content: "" } }]), frame([{ index: 0, delta: { content: "Hello" } }]) + frame([{ index: 0, finish_reason: "stop" }]));
    expect(chunks.map((c) => c.choices[0]!.delta?.content)).toEqual(["", "Hello", undefined]);
    expect(charged).toEqual({ inputTokens: PROMPT, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  test("a chunk without a delta first, and null choices, do not break the stream", async () => {
    const { chunks, charged } = await stream(passThrough(), frame([{ index: 0, finish_reason: null }]) + frame([null, { index: 1, delta: null }]) + frame([{ index: 0, delta: { content: "abcd" } }]));
    expect(chunks).toHaveLength(3);
    expect(charged.outputTokens).toBe(1);
  });

  test("content, refusal, tool names and arguments that are not strings count nothing", async () => {
    const { charged } = await stream(
      passThrough(),
      frame([{ index: 0, delta: { content: 5 } }]) +
        frame([{ index: 0, delta: { content: { length: 1e300 }, refusal: { length: 1e9 } } }]) +
        frame([{ index: 0, delta: { tool_calls: [null, 5, { index: 0, function: { name: 5, arguments: { length: 1e9 } } }, { index: 1, function: "f" }] } }]) +
        frame([{ index: 0, delta: { tool_calls: { length: 1e9 } } }]) +
        frame([{ index: 0, delta: { content: "abcdefgh", tool_calls: [{ index: 2, function: { name: "get", arguments: "{}" } }] } }]),
    );
    expectBillable(charged);
    expect(charged.outputTokens).toBe(4); // 8 + 3 + 2 characters
  });

  test("visible reasoning counts as reasoning tokens of the output: DeepSeek's reasoning_content, OpenRouter's and vLLM's reasoning; the two names for one text count once", async () => {
    const thought = "abcdefghij"; // 10 characters: 3 tokens
    const { charged } = await stream(
      passThrough(),
      frame([{ index: 0, delta: { role: "assistant", content: null, reasoning_content: thought } }]) +
        frame([{ index: 0, delta: { reasoning: thought } }]) +
        frame([{ index: 0, delta: { reasoning: thought, reasoning_content: thought, reasoning_details: [{ type: "reasoning.text", text: thought }] } }]) +
        frame([{ index: 0, delta: { reasoning: { length: 1e9 }, reasoning_content: 5 } }]) +
        frame([{ index: 0, delta: { content: "abcd" } }]),
    );
    expectBillable(charged);
    expect(charged).toEqual({ inputTokens: PROMPT, outputTokens: 8 + 1, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 8 }); // 30 characters of reasoning, 4 of content
  });

  test("reasoning the vendor reported mid-stream is not added to the reasoning streamed: the larger counts", () => {
    const reported = { inputTokens: 9, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 50 };
    expect(usageSoFar(reported, PROMPT, 2, 30)).toEqual({ ...reported, outputTokens: 52, reasoningTokens: 50 });
    expect(usageSoFar(reported, PROMPT, 2, 70)).toEqual({ ...reported, outputTokens: 72, reasoningTokens: 70 });
    expect(usageSoFar({ ...reported, outputTokens: 100 }, PROMPT, 2, 70)).toEqual({ ...reported, outputTokens: 100, reasoningTokens: 70 });
  });

  test("a prompt estimate that is not a count is bounded", async () => {
    const { vendor } = await stream(passThrough(), frame([{ index: 0, delta: { content: "abcd" } }]));
    for (const estimate of [Number.NaN, 1e300, Number.POSITIVE_INFINITY, -3, 2.5]) expectBillable(vendor.usageSoFar(estimate));
    expect(vendor.usageSoFar(1e300).inputTokens).toBe(MAX_REQUEST_TOKENS);
    expect(vendor.usageSoFar(2.5).inputTokens).toBe(3);
  });
});

describe("a vendor count is usable only as a non-negative integer up to MAX_REQUEST_TOKENS", () => {
  const garbage = [1e300, 1e12, MAX_REQUEST_TOKENS + 1, -1, 2.5, "7", Number.NaN, true, {}];

  test("OpenAI", () => {
    const good = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, prompt_tokens_details: { cached_tokens: 1 }, completion_tokens_details: { reasoning_tokens: 1 } };
    expect(convertOpenAIUsage(good)).toEqual({ inputTokens: 3, outputTokens: 2, cachedInputTokens: 1, cacheWriteTokens: 0, reasoningTokens: 1 });
    expect(convertOpenAIUsage({ prompt_tokens: MAX_REQUEST_TOKENS, completion_tokens: 0, prompt_tokens_details: null })).toMatchObject({ inputTokens: MAX_REQUEST_TOKENS, outputTokens: 0 });
    expect(convertOpenAIUsage({})).toBeNull();
    expect(convertOpenAIUsage({ prompt_tokens: 3 })).toBeNull();
    expect(convertOpenAIUsage({ ...good, prompt_tokens_details: 5 })).toBeNull();
    for (const bad of garbage) {
      expect(convertOpenAIUsage({ ...good, prompt_tokens: bad })).toBeNull();
      expect(convertOpenAIUsage({ ...good, completion_tokens: bad })).toBeNull();
      expect(convertOpenAIUsage({ ...good, total_tokens: bad })).toBeNull();
      expect(convertOpenAIUsage({ ...good, prompt_tokens_details: { cached_tokens: bad } })).toBeNull();
      expect(convertOpenAIUsage({ ...good, completion_tokens_details: { reasoning_tokens: bad } })).toBeNull();
    }
  });

  test("Anthropic", () => {
    const good = { input_tokens: 3, output_tokens: 2, cache_read_input_tokens: 4, cache_creation_input_tokens: null };
    expect(convertAnthropicUsage(good)).toEqual({ inputTokens: 7, outputTokens: 2, cachedInputTokens: 4, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(convertAnthropicUsage(undefined)).toBeNull();
    expect(convertAnthropicUsage({ input_tokens: 3 })).toBeNull();
    expect(convertAnthropicUsage({ input_tokens: MAX_REQUEST_TOKENS, output_tokens: 1, cache_read_input_tokens: 1 })).toBeNull(); // the prompt passes the bound
    for (const bad of garbage) {
      for (const key of ["input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"]) expect(convertAnthropicUsage({ ...good, [key]: bad } as never)).toBeNull();
    }
  });

  test("Gemini (a count of 0 is left out, so only promptTokenCount is required)", () => {
    const good = { promptTokenCount: 3, candidatesTokenCount: 2, thoughtsTokenCount: 1, cachedContentTokenCount: 1, totalTokenCount: 6 };
    expect(convertGeminiUsage(good)).toEqual({ inputTokens: 3, outputTokens: 3, cachedInputTokens: 1, cacheWriteTokens: 0, reasoningTokens: 1 });
    expect(convertGeminiUsage({ promptTokenCount: 3, totalTokenCount: 3 })).toEqual({ inputTokens: 3, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(convertGeminiUsage(undefined)).toBeNull();
    expect(convertGeminiUsage({ candidatesTokenCount: 2 })).toBeNull();
    for (const bad of garbage) {
      for (const key of Object.keys(good)) expect(convertGeminiUsage({ ...good, [key]: bad } as never)).toBeNull();
    }
  });
});

describe("garbage usage is charged the estimate, as no usage is, streamed or not, and the client sees that estimate", () => {
  const text = "An answer of forty characters, exactly..";
  const estimate = { inputTokens: PROMPT, outputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  const shown = { prompt_tokens: PROMPT, completion_tokens: 10, total_tokens: PROMPT + 10, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } };
  const usageChunks = (chunks: ChatCompletionChunk[]) => chunks.filter((c) => c.usage).map((c) => c.usage);

  const openaiGarbage = [{ prompt_tokens: 1e300, completion_tokens: "7", total_tokens: 1e300 }, {}, { prompt_tokens: 1e12, completion_tokens: 1 }, undefined];
  for (const usage of openaiGarbage) {
    test(`OpenAI usage ${JSON.stringify(usage)}`, async () => {
      const plain = parseOpenAIResponse({ id: "v", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }], usage }, ctx());
      expect(plain.usage).toEqual(estimate);
      expect(plain.completion.usage).toEqual(shown);
      const tail = usage === undefined ? "" : `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: "m", choices: [], usage })}\n\n`;
      const streamed = await stream(createOpenAIStreamTranslator(ctx(true)), frame([{ index: 0, delta: { role: "assistant", content: "" } }]) + frame([{ index: 0, delta: { content: text } }]) + frame([{ index: 0, delta: {}, finish_reason: "stop" }]) + tail + "data: [DONE]\n\n");
      expect(streamed.charged).toEqual(plain.usage);
      expect(usageChunks(streamed.chunks)).toEqual([]);
    });
  }

  test("OpenAI usage that cannot be billed on a chunk with content: the content goes out, the usage as null", async () => {
    const streamed = await stream(createOpenAIStreamTranslator(ctx(true)), `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content: text }, finish_reason: "stop" }], usage: { prompt_tokens: -1, completion_tokens: 10 } })}\n\ndata: [DONE]\n\n`);
    expect(streamed.chunks.map((c) => [c.choices[0]?.delta.content, c.usage])).toEqual([[text, null]]);
    expect(streamed.charged).toEqual(estimate);
  });

  const anthropicGarbage = [{ input_tokens: 1e300, output_tokens: 1 }, { input_tokens: 1e12, output_tokens: 1 }, { input_tokens: 5, output_tokens: -1 }];
  for (const usage of anthropicGarbage) {
    test(`Anthropic usage ${JSON.stringify(usage)}`, async () => {
      const plain = parseAnthropicResponse({ type: "message", content: [{ type: "text", text }], stop_reason: "end_turn", usage }, ctx());
      expect(plain.usage).toEqual(estimate);
      expect(plain.completion.usage).toEqual(shown);
      const { output_tokens, ...input } = usage;
      const sse = [
        `event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { usage: { ...input, output_tokens: 1 } } })}\n\n`,
        `event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n`,
        `event: content_block_delta\ndata: ${JSON.stringify({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } })}\n\n`,
        `event: message_delta\ndata: ${JSON.stringify({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens } })}\n\n`,
        `event: message_stop\ndata: {"type":"message_stop"}\n\n`,
      ].join("");
      const streamed = await stream(createAnthropicStreamTranslator(ctx(true)), sse);
      expect(streamed.charged).toEqual(plain.usage);
      expect(usageChunks(streamed.chunks)).toEqual([]);
    });
  }

  test("Anthropic without usage at all", () => {
    const plain = parseAnthropicResponse({ type: "message", content: [{ type: "text", text }], stop_reason: "end_turn" }, ctx());
    expect(plain.usage).toEqual(estimate);
    expect(plain.completion.usage).toEqual(shown);
  });

  const geminiGarbage = [{ promptTokenCount: 3, candidatesTokenCount: 1e300 }, { promptTokenCount: 1e12, candidatesTokenCount: 1 }, { candidatesTokenCount: 5 }, undefined];
  for (const usageMetadata of geminiGarbage) {
    test(`Gemini usageMetadata ${JSON.stringify(usageMetadata)}`, async () => {
      const answer = { candidates: [{ content: { role: "model", parts: [{ text }] }, finishReason: "STOP", index: 0 }], usageMetadata };
      const plain = parseGeminiResponse(answer, ctx());
      expect(plain.usage).toEqual(estimate);
      expect(plain.completion.usage).toEqual(shown);
      const streamed = await stream(createGeminiStreamTranslator(ctx(true)), `data: ${JSON.stringify(answer)}\n\n`);
      expect(streamed.charged).toEqual(plain.usage);
      expect(usageChunks(streamed.chunks)).toEqual([]);
    });
  }

  test("an estimate counts only the strings of an answer (content {length:1e300}, arguments {length:1e9} count nothing)", () => {
    const toolCalls = [{ id: "c", type: "function", function: { name: "f", arguments: "" } }];
    const odd = { choices: [{ index: 0, message: { role: "assistant", content: { length: 1e300 }, refusal: "no", tool_calls: toolCalls }, finish_reason: "tool_calls" }] };
    // Content like this is refused before an answer is estimated (check-choice-fields.ts); the estimate does not rely on it.
    expect(() => parseOpenAIResponse(odd, ctx())).toThrow(VendorProtocolError);
    expect(estimatedUsage(odd as unknown as ChatCompletion, ctx())).toEqual({ ...estimate, outputTokens: 1 }); // "f" and "no"
    const { completion } = parseOpenAIResponse({ choices: [{ index: 0, message: { role: "assistant", content: null, refusal: "no", tool_calls: toolCalls }, finish_reason: "tool_calls" }] }, ctx());
    expect(completion.usage).toMatchObject({ prompt_tokens: PROMPT, completion_tokens: 1 });
    // Tool calls like these are refused before an answer is estimated (check-tool-calls.ts); the estimate does not rely on it.
    const garbageCalls = [{ id: "c", type: "function", function: { name: "f", arguments: { length: 1e9 } } }, null, { function: 5 }];
    const garbage = { ...completion, choices: [{ index: 0, message: { role: "assistant", content: null, refusal: "no", tool_calls: garbageCalls }, finish_reason: "tool_calls" }] } as unknown as ChatCompletion;
    expect(estimatedUsage(garbage, ctx())).toEqual({ ...estimate, outputTokens: 1 });
  });

  test("an answer's reasoning counts as it does streamed: reasoning_content or reasoning, once, only as a string", () => {
    const answer = (message: Record<string, unknown>) => ({ choices: [{ index: 0, message: { role: "assistant", content: "abcd", ...message }, finish_reason: "stop" }] }) as unknown as ChatCompletion;
    const thought = "x".repeat(30);
    const counted = { ...estimate, outputTokens: 8 + 1, reasoningTokens: 8 };
    expect(estimatedUsage(answer({ reasoning_content: thought }), ctx())).toEqual(counted);
    expect(estimatedUsage(answer({ reasoning: thought }), ctx())).toEqual(counted);
    expect(estimatedUsage(answer({ reasoning: thought, reasoning_content: thought }), ctx())).toEqual(counted);
    expect(estimatedUsage(answer({ reasoning: { length: 1e9 }, reasoning_content: 5 }), ctx())).toEqual({ ...estimate, outputTokens: 1 });
    const { completion, usage } = parseOpenAIResponse({ choices: [{ index: 0, message: { role: "assistant", content: "abcd", reasoning_content: thought }, finish_reason: "stop" }] }, ctx());
    expect(usage).toEqual(counted);
    expect(completion.usage).toMatchObject({ completion_tokens: 9, completion_tokens_details: { reasoning_tokens: 8 } });
  });

  test("a usable answer's usage passes through as the vendor sent it", () => {
    const usage = { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 } };
    const plain = parseOpenAIResponse({ choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }], usage }, ctx());
    expect(plain.usage).toMatchObject({ inputTokens: 3, outputTokens: 1 });
    expect(plain.completion.usage).toEqual(usage);
  });
});

test("an OpenAI answer whose choice is not an object with a message is a protocol error (upstream_invalid_response), not a TypeError", () => {
  const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
  for (const choice of [null, 5, "x", [], {}, { index: 0, message: null }, { index: 0, message: "hi" }]) {
    for (const body of [{ choices: [choice] }, { choices: [choice], usage }, { choices: [{ index: 0, message: { role: "assistant", content: "hi" } }, choice] }]) {
      expect(() => parseOpenAIResponse(body, ctx())).toThrow(VendorProtocolError);
    }
  }
});
