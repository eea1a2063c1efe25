/**
 * Anthropic's stream of an answer with thinking (the streaming guide's extended-thinking example:
 * content_block_start of a thinking block, thinking_delta events, one signature_delta, then the text)
 * gave the client only the text: thinking deltas were dropped, so a streaming client saw none of it, and
 * a stream cut short mid-think was charged no output for it. Each thinking_delta now goes out at once
 * as delta.reasoning_content, and the blocks, signature or redacted data intact, all at once as one
 * delta.thinking_blocks before the finish (thinking-blocks-stream.test.ts says why), the unstreamed
 * message's thinking_blocks.
 */
import { expect, test } from "bun:test";
import { fixtureText, sseEvents } from "../../../test/fixtures/replay.ts";
import type { ChatCompletionChunk, ResponseContext, SseEvent } from "../types.ts";
import { createAnthropicStreamTranslator } from "./stream.ts";

const ctx: ResponseContext = { completionId: "chatcmpl-test", created: 1700000000, model: "claude-opus-4-6", includeUsage: false };
const deltas = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]!.delta);
const THINKING = [
  "I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n1071 = 2 × 462 + 147",
  "\n462 = 3 × 147 + 21",
  "\n147 = 7 × 21 + 0",
  "\nThe remainder is 0, so GCD(1071, 462) = 21.",
];

test("the documented stream: each thinking_delta is a reasoning_content delta as it comes, then the text, and the signed block before the finish", async () => {
  const translator = createAnthropicStreamTranslator(ctx);
  const events = sseEvents(new TextEncoder().encode(await fixtureText("anthropic", "stream-thinking.sse")));
  // Event by event: what each one gives, at once (nothing held for later).
  const perEvent = events.map((event: SseEvent) => deltas(translator.onEvent(event)));
  expect(perEvent.slice(0, 8)).toEqual([
    [], // message_start
    [], // content_block_start (thinking)
    [{ role: "assistant", content: "", refusal: null }, { reasoning_content: THINKING[0] }],
    [{ reasoning_content: THINKING[1] }],
    [{ reasoning_content: THINKING[2] }],
    [{ reasoning_content: THINKING[3] }],
    [], // signature_delta: the block is whole only at its stop
    [], // content_block_stop: the block is kept for the end of the answer
  ]);
  const rest = perEvent.slice(8).flat();
  expect(rest.map((d) => d.content ?? null)).toContain("The greatest common divisor of 1071 and 462 is **21**.");
  expect(rest.filter((d) => d.thinking_blocks)).toEqual([{ thinking_blocks: [{ type: "thinking", thinking: THINKING.join(""), signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..." }] }]);
});

test("a redacted_thinking block is kept in its place beside the thinking block; a signature in several deltas is joined", () => {
  const translator = createAnthropicStreamTranslator(ctx);
  const event = (data: Record<string, unknown>): SseEvent => ({ event: String(data.type), data: JSON.stringify(data), id: null });
  const out = (data: Record<string, unknown>) => deltas(translator.onEvent(event(data)));
  out({ type: "message_start", message: { usage: { input_tokens: 5, output_tokens: 1 } } });
  expect(out({ type: "content_block_start", index: 0, content_block: { type: "redacted_thinking", data: "EmwKAhgB..." } })).toEqual([]);
  out({ type: "content_block_stop", index: 0 });
  out({ type: "content_block_start", index: 1, content_block: { type: "thinking", thinking: "" } });
  out({ type: "content_block_delta", index: 1, delta: { type: "thinking_delta", thinking: "Hm." } });
  out({ type: "content_block_delta", index: 1, delta: { type: "signature_delta", signature: "ab" } });
  out({ type: "content_block_delta", index: 1, delta: { type: "signature_delta", signature: "cd" } });
  expect(out({ type: "content_block_stop", index: 1 })).toEqual([]);
  expect(out({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 9 } })).toEqual([
    { thinking_blocks: [{ type: "redacted_thinking", data: "EmwKAhgB..." }, { type: "thinking", thinking: "Hm.", signature: "abcd" }] },
    {},
  ]);
});
