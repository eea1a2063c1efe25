/**
 * Anthropic documents message_delta's usage counts as cumulative
 * (https://platform.claude.com/docs/en/build-with-claude/streaming: "The token counts shown in the
 * usage field of the message_delta event are cumulative"): its input-side counts repeat
 * message_start's, or grow (server tools), never shrink. Some Anthropic-compatible relays send
 * input_tokens 0 there (sglang's /v1/messages set it so, sgl-project/sglang#20830, fixed in #33419;
 * Envoy AI Gateway read that 0 over message_start's count, envoyproxy/ai-gateway#1631), or leave
 * the cache counts at 0. Such a delta must not erase the input message_start reported. Others put
 * the whole prompt, cache included, in message_start's input_tokens with no cache counts, and give
 * the split only in message_delta (Kimi and QwenCloud: start {input_tokens: 8834}, delta
 * {input_tokens: 18, cache_read_input_tokens: 8831, cache_creation_input_tokens: 0},
 * maximhq/bifrost#5355, #5354): that split is the prompt, charged once, as the unstreamed answer.
 * So the three input-side counts are judged as one total: the delta's are taken unless their sum
 * is lower than the one held, and output_tokens stays the delta's.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseAnthropic, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const startUsage = { input_tokens: 120, cache_read_input_tokens: 300, cache_creation_input_tokens: 40, output_tokens: 1 };
const streamWithDeltaUsage = (usage: Record<string, unknown>) =>
  sseAnthropic(
    { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "claude-x", content: [], stop_reason: null, stop_sequence: null, usage: startUsage } } as { type: string },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } } as { type: string },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "hello" } } as { type: string },
    { type: "content_block_stop", index: 0 } as { type: string },
    { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage } as { type: string },
    { type: "message_stop" },
  );

// QwenCloud's stream as captured in maximhq/bifrost#5355 (Kimi's is alike, #5354), and its unstreamed answer.
const qwenSplit = { input_tokens: 18, cache_creation_input_tokens: 0, cache_read_input_tokens: 8831 };
const qwenStream = sseAnthropic(
  { type: "message_start", message: { id: "msg_q", type: "message", role: "assistant", model: "qwen3.7-plus", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 8834, output_tokens: 0 } } } as { type: string },
  { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } } as { type: string },
  { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "hello" } } as { type: string },
  { type: "content_block_stop", index: 0 } as { type: string },
  { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { ...qwenSplit, output_tokens: 426, cache_creation: { ephemeral_5m_input_tokens: 0 } } } as { type: string },
  { type: "message_stop" },
);
const qwenMessage = {
  id: "msg_q",
  type: "message",
  role: "assistant",
  model: "qwen3.7-plus",
  content: [{ type: "text", text: "hello" }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { ...qwenSplit, output_tokens: 426 },
};

// DashScope's Qwen stream as captured in jeremychone/rust-genai#258: message_start gives the whole prompt
// as input_tokens, message_delta its cache counts and no input_tokens at all. The unstreamed answer
// reports the same cache counts with no fresh input beside them.
const dashScopeStream = sseAnthropic(
  { type: "message_start", message: { id: "msg_d", type: "message", role: "assistant", model: "qwen-plus", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 3602, output_tokens: 0 } } } as { type: string },
  { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } } as { type: string },
  { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "hello" } } as { type: string },
  { type: "content_block_stop", index: 0 } as { type: string },
  { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { cache_creation_input_tokens: 0, cache_read_input_tokens: 3604, prompt_tokens_details: { cached_tokens: 3604 }, output_tokens: 878 } } as { type: string },
  { type: "message_stop" },
);
const dashScopeMessage = {
  id: "msg_d",
  type: "message",
  role: "assistant",
  model: "qwen-plus",
  content: [{ type: "text", text: "hello" }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 3604, output_tokens: 878 },
};

/**
 * Whole micro-USD a token of every class, so a cost has no fraction to round: each event rounds its
 * fraction up or down by its own id (shared/money/cost.ts), and SCRIPTED_PRICE's 0.1 µ$ cache read
 * made two events of the same usage cost 1753 or 1754.
 */
const WHOLE_PRICE = { input: 3_000_000, output: 2_000_000, cachedInput: 1_000_000, cacheWrite: 4_000_000 };

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({
    "claude-delta-zero-input": { provider: "anthropic", sse: streamWithDeltaUsage({ input_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, output_tokens: 9 }) },
    "claude-delta-lower-cache": { provider: "anthropic", sse: streamWithDeltaUsage({ input_tokens: 120, cache_read_input_tokens: 100, output_tokens: 9 }) },
    "claude-delta-repeats": { provider: "anthropic", sse: streamWithDeltaUsage({ ...startUsage, output_tokens: 9 }) },
    "claude-delta-grows": { provider: "anthropic", sse: streamWithDeltaUsage({ input_tokens: 150, cache_read_input_tokens: 300, cache_creation_input_tokens: 40, output_tokens: 9 }) },
    "qwen-split-in-delta": { provider: "anthropic", sse: qwenStream, json: qwenMessage, price: WHOLE_PRICE },
    "dashscope-cache-in-delta": { provider: "anthropic", sse: dashScopeStream, json: dashScopeMessage, price: WHOLE_PRICE },
  });
});
afterAll(() => v.stop());

test("a message_delta reporting input_tokens and cache counts 0 keeps message_start's: the prompt is charged", async () => {
  const streamed = await v.stream("claude-delta-zero-input");
  expect(streamed.event.usage).toMatchObject({ inputTokens: 460, cachedInputTokens: 300, cacheWriteTokens: 40, outputTokens: 9 });
  expect(streamed.usage).toMatchObject({ prompt_tokens: 460, completion_tokens: 9 });
});

test("a lower cache count in message_delta does not lower it", async () => {
  const streamed = await v.stream("claude-delta-lower-cache");
  expect(streamed.event.usage).toMatchObject({ inputTokens: 460, cachedInputTokens: 300, cacheWriteTokens: 40, outputTokens: 9 });
});

test("the same counts repeated, or a larger input count, are taken as Anthropic sends them", async () => {
  expect((await v.stream("claude-delta-repeats")).event.usage).toMatchObject({ inputTokens: 460, cachedInputTokens: 300, cacheWriteTokens: 40, outputTokens: 9 });
  expect((await v.stream("claude-delta-grows")).event.usage).toMatchObject({ inputTokens: 490, cachedInputTokens: 300, cacheWriteTokens: 40, outputTokens: 9 });
});

test("a whole prompt in message_start then its cache split in message_delta (Kimi, QwenCloud) is charged once, as unstreamed", async () => {
  const streamed = await v.stream("qwen-split-in-delta");
  const unstreamed = await v.chat("qwen-split-in-delta");
  const expected = { inputTokens: 8849, cachedInputTokens: 8831, cacheWriteTokens: 0, outputTokens: 426 };
  expect(unstreamed.event.usage).toMatchObject(expected);
  expect(streamed.event.usage).toMatchObject(expected);
  expect(streamed.event.costMicros).toBe(unstreamed.event.costMicros);
  expect(streamed.usage).toMatchObject({ prompt_tokens: 8849, completion_tokens: 426 });
});

test("a whole prompt in message_start then cache counts with no input_tokens in message_delta (DashScope) is charged once, as unstreamed", async () => {
  const streamed = await v.stream("dashscope-cache-in-delta");
  const unstreamed = await v.chat("dashscope-cache-in-delta");
  const expected = { inputTokens: 3604, cachedInputTokens: 3604, cacheWriteTokens: 0, outputTokens: 878 };
  expect(unstreamed.event.usage).toMatchObject(expected);
  expect(streamed.event.usage).toMatchObject(expected);
  expect(streamed.event.costMicros).toBe(unstreamed.event.costMicros);
  expect(streamed.usage).toMatchObject({ prompt_tokens: 3604, completion_tokens: 878 });
});
