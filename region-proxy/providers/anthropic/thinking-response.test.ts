/**
 * An Anthropic answer with thinking (extended thinking's documented response: thinking and
 * redacted_thinking blocks before the text) gave the client only its text: the thinking was dropped,
 * so a client could neither show it nor send it back, and Anthropic needs the last tool-calling turn's
 * thinking back when thinking is on. Its text is now the message's reasoning_content and its blocks, the
 * signature and the redacted data intact, the message's thinking_blocks, as LiteLLM gives them.
 * Thinking tokens are in Anthropic's output_tokens: charged once, at the output rate.
 */
import { expect, test } from "bun:test";
import { fixtureJson } from "../../../test/fixtures/replay.ts";
import type { ResponseContext } from "../types.ts";
import { parseAnthropicResponse } from "./response.ts";

const ctx: ResponseContext = { completionId: "chatcmpl-test", created: 1700000000, model: "claude-sonnet-4-5", includeUsage: false };

test("the documented thinking answer: reasoning_content is the thinking text, thinking_blocks the blocks as sent", async () => {
  const { completion, usage } = parseAnthropicResponse(await fixtureJson("anthropic", "message-thinking.json"), ctx);
  expect(completion.choices[0]!.message).toEqual({
    role: "assistant",
    content: "Based on my analysis...",
    reasoning_content: "Let me analyze this step by step...",
    thinking_blocks: [
      { type: "thinking", thinking: "Let me analyze this step by step...", signature: "WaUjzkypQ2mUEVM36O2TxuC06KN8xyfbJwyem2dw3URve/op91XWHOEBLLqIOMfFG/UvLEczmEsUjavL...." },
      { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP..." },
    ],
    refusal: null,
  });
  // output_tokens holds the thinking: reasoning is not counted again.
  expect(usage).toEqual({ inputTokens: 52, outputTokens: 311, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
});

test("an answer of only redacted thinking has thinking_blocks and no reasoning_content; one without thinking has neither", () => {
  const redacted = parseAnthropicResponse(
    { type: "message", content: [{ type: "redacted_thinking", data: "abc" }, { type: "text", text: "Hi" }], stop_reason: "end_turn", usage: { input_tokens: 1, output_tokens: 2 } },
    ctx,
  ).completion.choices[0]!.message;
  expect(redacted).toEqual({ role: "assistant", content: "Hi", thinking_blocks: [{ type: "redacted_thinking", data: "abc" }], refusal: null });
  const plain = parseAnthropicResponse({ type: "message", content: [{ type: "text", text: "Hi" }], stop_reason: "end_turn", usage: { input_tokens: 1, output_tokens: 2 } }, ctx).completion.choices[0]!.message;
  expect("reasoning_content" in plain || "thinking_blocks" in plain).toBe(false);
});

test("without usable usage, the shown thinking is estimated as reasoning tokens of the output, as a stream's is", () => {
  const { usage } = parseAnthropicResponse({ type: "message", content: [{ type: "thinking", thinking: "x".repeat(40), signature: "s" }, { type: "text", text: "y".repeat(20) }], stop_reason: "end_turn" }, ctx);
  expect(usage).toMatchObject({ reasoningTokens: 10, outputTokens: 15 });
});
