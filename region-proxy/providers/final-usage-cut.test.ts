/**
 * A stream whose vendor sent its final usage (OpenAI's `choices: []` usage chunk or usage on a finish
 * chunk after which every choice has finished, DeepSeek's, Mistral's, Together's; Anthropic's
 * message_delta with output_tokens, Gemini's usageMetadata with the answer's count at or after the
 * finishReason: usage that came once every choice had finished) and was then cut
 * before its end (client gone, deadline, shutdown) is charged that usage as the vendor reported it, as
 * the same stream read to its end and the same answer unstreamed are: the streamed-characters estimate
 * (one token per 4 characters) is for a stream without such a count. It was charged the larger of the
 * two, field by field, so an answer whose text (or visible reasoning) ran over 4 characters a token was
 * charged above the vendor's own count. Usage a vendor reports while a choice is still being written
 * (vLLM's on every chunk, Gemini's running counts) is not final: the larger still counts there.
 */
import { describe, expect, test } from "bun:test";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import { parseAnthropicResponse } from "./anthropic/response.ts";
import { createAnthropicStreamTranslator } from "./anthropic/stream.ts";
import { createAzureStreamTranslator } from "./azure/stream.ts";
import { parseGeminiResponse } from "./gemini/response.ts";
import { createGeminiStreamTranslator } from "./gemini/stream.ts";
import { parseOpenAIResponse } from "./openai/response.ts";
import { createOpenAIStreamTranslator } from "./openai/stream.ts";
import { readSseBatches } from "./sse-reader.ts";
import { reads, readsThenHang } from "./testing/reads.ts";
import type { ResponseContext, StreamTranslator } from "./types.ts";
import { committedStream, readUntilChunks, vendorEvents } from "./vendor-stream.ts";

const PROMPT = 40;
const ctx = (includeUsage = false): ResponseContext => ({ completionId: "chatcmpl-gw", created: 1, model: "m", includeUsage, promptEstimate: () => PROMPT });
const LONG = "x".repeat(400); // 100 tokens by the estimate
const call = { abort() {}, cleanup() {}, timedOut: () => false, redact: <T>(e: T) => e };

/** Read until the body ends; a stream cut before its end marker fails there. What is charged. */
async function readToEnd(translator: StreamTranslator, ...parts: string[]): Promise<NormalizedUsage> {
  const events = vendorEvents(readSseBatches(reads(...parts)));
  const first = await readUntilChunks(events, translator);
  const vendor = committedStream(events, translator, first, call);
  try {
    for (let done = first.done; !done; ) done = (await vendor.next()).done;
  } catch {
    // cut before the end marker
  }
  vendor.close();
  return vendor.usage() ?? vendor.usageSoFar(PROMPT);
}

/**
 * One read of the body, which stays open; the client reads what it brought and leaves. What is charged.
 * `usageWaits`: an OpenAI-format stream with include_usage, whose usage chunk waits for [DONE], so the
 * step that read it may still be waiting for more: no step within 50 ms is accepted there, and only there.
 */
async function clientLeaves(translator: StreamTranslator, read: string, usageWaits = false): Promise<NormalizedUsage> {
  const events = vendorEvents(readSseBatches(readsThenHang(read)));
  const first = await readUntilChunks(events, translator);
  const vendor = committedStream(events, translator, first, call);
  const step = usageWaits ? await Promise.race([vendor.next(), Bun.sleep(50).then(() => null)]) : await vendor.next();
  expect(step?.done ?? false).toBe(false);
  vendor.close();
  return vendor.usage() ?? vendor.usageSoFar(PROMPT);
}

const usage = (inputTokens: number, outputTokens: number, reasoningTokens = 0): NormalizedUsage => ({ inputTokens, outputTokens, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens });
/** One OpenAI-format SSE chunk frame. */
const frame = (choices: unknown[], u?: unknown) => `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: "m", choices, ...(u === undefined ? {} : { usage: u }) })}\n\n`;

describe("OpenAI format", () => {
  const DONE = "data: [DONE]\n\n";

  test("visible reasoning, then the final usage chunk, then cut before [DONE]: the vendor's 90 output / 89 reasoning, not the estimate's 101/100", async () => {
    const final = { prompt_tokens: 12, completion_tokens: 90, total_tokens: 102, completion_tokens_details: { reasoning_tokens: 89 } };
    const parts = [
      frame([{ index: 0, delta: { role: "assistant", content: null, reasoning_content: LONG } }]),
      frame([{ index: 0, delta: { content: "abcd" }, finish_reason: "stop" }]),
      frame([], final),
    ];
    expect(await readToEnd(createOpenAIStreamTranslator(ctx()), ...parts)).toEqual(usage(12, 90, 89));
    expect(await readToEnd(createOpenAIStreamTranslator(ctx()), ...parts, DONE)).toEqual(usage(12, 90, 89));
    const unstreamed = parseOpenAIResponse(
      { id: "x", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "abcd", reasoning_content: LONG } }], usage: final },
      ctx(),
    );
    expect(unstreamed.usage).toEqual(usage(12, 90, 89));
  });

  test("content over 4 characters a token, then the final usage chunk, then cut (EOF, or the client leaving): the vendor's 50, not the estimate's 100", async () => {
    const final = { prompt_tokens: 12, completion_tokens: 50, total_tokens: 62 };
    const parts = [frame([{ index: 0, delta: { role: "assistant", content: LONG }, finish_reason: "stop" }]), frame([], final)];
    expect(await readToEnd(createOpenAIStreamTranslator(ctx()), ...parts)).toEqual(usage(12, 50));
    expect(await clientLeaves(createOpenAIStreamTranslator(ctx(true)), parts.join(""), true)).toEqual(usage(12, 50));
    expect(await readToEnd(createOpenAIStreamTranslator(ctx()), ...parts, DONE)).toEqual(usage(12, 50));
  });

  test("usage on chunks with choices (vLLM's continuous usage) is not final: cut, the larger of it and the streamed estimate, as before", async () => {
    const charged = await readToEnd(
      createOpenAIStreamTranslator(ctx()),
      frame([{ index: 0, delta: { role: "assistant", content: LONG } }], { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 }),
      frame([{ index: 0, delta: { content: LONG } }], { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 }),
    );
    expect(charged).toEqual(usage(12, 200));
  });

  test("usage on the finish chunk (DeepSeek-style), cut before [DONE]: the vendor's 90 output / 89 reasoning, as read to [DONE] and unstreamed", async () => {
    const final = { prompt_tokens: 12, completion_tokens: 90, total_tokens: 102, completion_tokens_details: { reasoning_tokens: 89 } };
    const parts = [
      frame([{ index: 0, delta: { role: "assistant", content: null, reasoning_content: LONG } }]),
      frame([{ index: 0, delta: { content: "abcd" }, finish_reason: "stop" }], final),
    ];
    expect(await readToEnd(createOpenAIStreamTranslator(ctx()), ...parts)).toEqual(usage(12, 90, 89));
    expect(await readToEnd(createOpenAIStreamTranslator(ctx(true)), ...parts)).toEqual(usage(12, 90, 89));
    expect(await readToEnd(createOpenAIStreamTranslator(ctx()), ...parts, DONE)).toEqual(usage(12, 90, 89));
  });

  test("usage on the finish chunk, then [DONE] (Mistral-style): cut before [DONE] or the client leaving, the vendor's 50, as read to [DONE]", async () => {
    const final = { prompt_tokens: 12, completion_tokens: 50, total_tokens: 62 };
    const parts = [
      frame([{ index: 0, delta: { role: "assistant", content: LONG }, finish_reason: null }]),
      frame([{ index: 0, delta: { content: "" }, finish_reason: "stop" }], final),
    ];
    expect(await readToEnd(createOpenAIStreamTranslator(ctx()), ...parts)).toEqual(usage(12, 50));
    expect(await clientLeaves(createOpenAIStreamTranslator(ctx(true)), parts.join(""), true)).toEqual(usage(12, 50));
    expect(await readToEnd(createOpenAIStreamTranslator(ctx()), ...parts, DONE)).toEqual(usage(12, 50));
  });

  test("Azure (OpenAI's translator behind its filter): usage on the finish chunk after an annotation-only chunk, cut before [DONE]: the vendor's 50", async () => {
    const final = { prompt_tokens: 12, completion_tokens: 50, total_tokens: 62 };
    const parts = [
      frame([{ index: 0, delta: { role: "assistant", content: LONG }, finish_reason: null, content_filter_results: {} }]),
      frame([{ index: 0, delta: {}, finish_reason: "stop", content_filter_results: {} }], final),
      frame([{ index: 0, finish_reason: null, content_filter_offsets: { check_offset: 0, start_offset: 0, end_offset: 400 }, content_filter_results: { hate: { filtered: false, severity: "safe" } } }]),
    ];
    expect(await readToEnd(createAzureStreamTranslator(ctx()), ...parts)).toEqual(usage(12, 50));
    expect(await readToEnd(createAzureStreamTranslator(ctx()), ...parts, DONE)).toEqual(usage(12, 50));
  });

  test("usage on one choice's finish chunk while another is still writing (n: 2) is not final: cut, the larger of it and the streamed estimate", async () => {
    const charged = await readToEnd(
      createOpenAIStreamTranslator(ctx()),
      frame([{ index: 0, delta: { role: "assistant", content: LONG } }, { index: 1, delta: { role: "assistant", content: LONG } }]),
      frame([{ index: 0, delta: {}, finish_reason: "stop" }], { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 }),
    );
    expect(charged).toEqual(usage(12, 200));
  });

  test("a new choice after usage that read final makes it a running count again: cut, the larger of it and the streamed estimate", async () => {
    const charged = await readToEnd(
      createOpenAIStreamTranslator(ctx()),
      frame([{ index: 0, delta: { role: "assistant", content: LONG }, finish_reason: "stop" }], { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 }),
      frame([{ index: 1, delta: { role: "assistant", content: LONG } }]),
    );
    expect(charged).toEqual(usage(12, 200));
  });
});

describe("Anthropic", () => {
  const event = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const parts = [
    event("message_start", { message: { id: "msg", type: "message", role: "assistant", model: "m", content: [], usage: { input_tokens: 12, output_tokens: 1 } } }),
    event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
    event("content_block_delta", { index: 0, delta: { type: "text_delta", text: LONG } }),
    event("content_block_stop", { index: 0 }),
    event("message_delta", { delta: { stop_reason: "end_turn" }, usage: { output_tokens: 50 } }),
  ];

  test("message_delta's usage, then cut before message_stop: its 50 output, not the estimate's 100", async () => {
    expect(await readToEnd(createAnthropicStreamTranslator(ctx()), ...parts)).toEqual(usage(12, 50));
    expect(await clientLeaves(createAnthropicStreamTranslator(ctx()), parts.join(""))).toEqual(usage(12, 50));
    expect(await readToEnd(createAnthropicStreamTranslator(ctx()), ...parts, event("message_stop", {}))).toEqual(usage(12, 50));
    const unstreamed = parseAnthropicResponse(
      { id: "msg", type: "message", role: "assistant", model: "m", content: [{ type: "text", text: LONG }], stop_reason: "end_turn", usage: { input_tokens: 12, output_tokens: 50 } },
      ctx(),
    );
    expect(unstreamed.usage).toEqual(usage(12, 50));
  });

  test("cut before message_delta: message_start's input and the streamed estimate, as before", async () => {
    expect(await readToEnd(createAnthropicStreamTranslator(ctx()), ...parts.slice(0, 4))).toEqual(usage(12, 100));
  });
});

describe("Gemini", () => {
  const event = (text: string, u: Record<string, number>, finishReason?: string) =>
    `data: ${JSON.stringify({ candidates: [{ index: 0, content: { role: "model", parts: [{ text }] }, ...(finishReason ? { finishReason } : {}) }], usageMetadata: u, modelVersion: "m" })}\n\n`;
  const half = LONG.slice(0, 200);

  test("the last event's usage (with the answer's count), then the client leaves before the stream ended: its 50 output, not the estimate's 100", async () => {
    const read = event(half, { promptTokenCount: 12, totalTokenCount: 12 }) + event(half, { promptTokenCount: 12, candidatesTokenCount: 50, totalTokenCount: 62 }, "STOP");
    expect(await clientLeaves(createGeminiStreamTranslator(ctx()), read)).toEqual(usage(12, 50));
    expect(await readToEnd(createGeminiStreamTranslator(ctx()), read)).toEqual(usage(12, 50));
    const unstreamed = parseGeminiResponse(
      { candidates: [{ index: 0, content: { role: "model", parts: [{ text: LONG }] }, finishReason: "STOP" }], usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 50, totalTokenCount: 62 } },
      ctx(),
    );
    expect(unstreamed.usage).toEqual(usage(12, 50));
  });

  test("the answer's count on an event before its finishReason (a running count), then the client leaves: the larger of it and the streamed estimate, as vLLM's", async () => {
    const read = event(half, { promptTokenCount: 12, candidatesTokenCount: 10, totalTokenCount: 22 }) + event(half, { promptTokenCount: 12, candidatesTokenCount: 20, totalTokenCount: 32 });
    expect(await clientLeaves(createGeminiStreamTranslator(ctx()), read)).toEqual(usage(12, 100));
  });

  test("usage with the prompt's count only, then the client leaves: Gemini's input and the streamed estimate, as before", async () => {
    const read = event(half, { promptTokenCount: 12, totalTokenCount: 12 }) + event(half, { promptTokenCount: 12, totalTokenCount: 12 });
    expect(await clientLeaves(createGeminiStreamTranslator(ctx()), read)).toEqual(usage(12, 100));
  });
});

/**
 * Usage an OpenAI-format stream sent that is not the whole answer's, though every choice seen so far
 * had finished: a stream cut after it is charged the larger of it and the estimate, not it as is. vLLM
 * with n > 1 and continuous usage puts each choice's own count on that choice's chunks (only its
 * closing `choices: []` chunk has the sum); usage that read final goes stale once a new choice appears;
 * sglang 0.4.x and older Ollama send finish_reason "" on every unfinished chunk.
 */
describe("OpenAI-format stream usage that only looks final", () => {
  test("usage that read final, then a new choice written and finished without usage, cut: not the stale usage as is", async () => {
    const charged = await readToEnd(
      createOpenAIStreamTranslator(ctx()),
      frame([{ index: 0, delta: { role: "assistant", content: LONG }, finish_reason: "stop" }], { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 }),
      frame([{ index: 1, delta: { role: "assistant", content: LONG } }]),
      frame([{ index: 1, delta: {}, finish_reason: "stop" }]),
    );
    // 800 characters streamed: 200 by the estimate; the stale 20 covers choice 0 only
    expect(charged).toEqual(usage(12, 200));
  });

  test("a usage chunk before any choice (prompt-only), then one choice written and finished, cut before a final usage: not 0 output", async () => {
    const charged = await readToEnd(
      createOpenAIStreamTranslator(ctx()),
      frame([], { prompt_tokens: 12, completion_tokens: 0, total_tokens: 12 }),
      frame([{ index: 0, delta: { role: "assistant", content: LONG } }]),
      frame([{ index: 0, delta: {}, finish_reason: "stop" }]),
    );
    expect(charged).toEqual(usage(12, 100));
  });

  test("finish_reason '' on intermediate chunks (sglang 0.4.x, older Ollama) with continuous usage is not final", async () => {
    const charged = await readToEnd(
      createOpenAIStreamTranslator(ctx()),
      frame([{ index: 0, delta: { role: "assistant", content: LONG }, finish_reason: "" }], { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 }),
      frame([{ index: 0, delta: { content: LONG }, finish_reason: "" }], { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 }),
    );
    expect(charged).toEqual(usage(12, 200));
  });

  test("vLLM n: 2 with continuous_usage_stats: its per-chunk usage counts only that choice (previous_num_tokens[i]); the last finish chunk's is not the whole answer's", async () => {
    const u = (c: number) => ({ prompt_tokens: 12, completion_tokens: c, total_tokens: 12 + c });
    const charged = await readToEnd(
      createOpenAIStreamTranslator(ctx()),
      frame([{ index: 0, delta: { role: "assistant", content: LONG }, finish_reason: null }], u(100)),
      frame([{ index: 1, delta: { role: "assistant", content: LONG }, finish_reason: null }], u(100)),
      frame([{ index: 0, delta: { content: "" }, finish_reason: "stop" }], u(100)),
      frame([{ index: 1, delta: { content: "" }, finish_reason: "stop" }], u(100)),
      // vLLM's next chunk would be choices: [] with completion_tokens 200 (sum(previous_num_tokens)); cut before it
    );
    expect(charged.outputTokens).toBeGreaterThanOrEqual(200);
  });
});
