/**
 * Usage an OpenAI-format stream sent that is not the whole answer's, though every choice seen so far
 * had finished (openai/stream.ts usageFinal): a stream cut after it is charged the larger of it and the
 * streamed-characters estimate, not it as is. vLLM with n > 1 and continuous usage puts each choice's
 * own count on that choice's chunks (only its closing `choices: []` chunk has the sum); usage that read
 * final goes stale once a new choice appears; sglang 0.4.x and older Ollama send finish_reason "" on
 * every unfinished chunk.
 */
import { describe, expect, test } from "bun:test";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import { createOpenAIStreamTranslator } from "./openai/stream.ts";
import { readSseBatches } from "./sse-reader.ts";
import { reads } from "./testing/reads.ts";
import type { ResponseContext, StreamTranslator } from "./types.ts";
import { committedStream, readUntilChunks, vendorEvents } from "./vendor-stream.ts";

const PROMPT = 40;
const ctx = (includeUsage = false): ResponseContext => ({ completionId: "chatcmpl-gw", created: 1, model: "m", includeUsage, promptEstimate: () => PROMPT });
const LONG = "x".repeat(400);
const call = { abort() {}, cleanup() {}, timedOut: () => false, redact: <T>(e: T) => e };
async function readToEnd(translator: StreamTranslator, ...parts: string[]): Promise<NormalizedUsage> {
  const events = vendorEvents(readSseBatches(reads(...parts)));
  const first = await readUntilChunks(events, translator);
  const vendor = committedStream(events, translator, first, call);
  try {
    for (let done = first.done; !done; ) done = (await vendor.next()).done;
  } catch {}
  vendor.close();
  return vendor.usage() ?? vendor.usageSoFar(PROMPT);
}
const usage = (inputTokens: number, outputTokens: number, reasoningTokens = 0): NormalizedUsage => ({ inputTokens, outputTokens, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens });
const frame = (choices: unknown[], u?: unknown) => `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: "m", choices, ...(u === undefined ? {} : { usage: u }) })}\n\n`;

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
