/**
 * Claude's thinking blocks between Anthropic and the client
 * (https://platform.claude.com/docs/en/build-with-claude/extended-thinking): a `thinking` block (its
 * text and the `signature` Anthropic checks when it comes back) and a `redacted_thinking` block (its
 * encrypted `data`). An answer gives the client their text as `reasoning_content` and the blocks as
 * `thinking_blocks` (types.ts ThinkingBlock), as LiteLLM does; the client sends the blocks back on the
 * assistant message, and they go to Anthropic first in that turn, as they came.
 *
 * @example answerThinking({ type: "thinking", thinking: "Hm.", signature: "Eq…" }) // { type: "thinking", thinking: "Hm.", signature: "Eq…" }
 */
import type { ThinkingBlock } from "../types.ts";

/** The client's copy of a thinking block of Anthropic's answer, or null when `block` is none. */
export function answerThinking(block: { type?: unknown; thinking?: unknown; signature?: unknown; data?: unknown }): ThinkingBlock | null {
  if (block.type === "thinking" && typeof block.thinking === "string") {
    // A block without a signature (some Anthropic-compatible servers) is shown; Anthropic would refuse it back.
    return { type: "thinking", thinking: block.thinking, signature: typeof block.signature === "string" ? block.signature : "" };
  }
  if (block.type === "redacted_thinking" && typeof block.data === "string") return { type: "redacted_thinking", data: block.data };
  return null;
}

/**
 * The thinking of an answer for the client: the blocks, and their text (joined as a stream's deltas
 * join) when any is a thinking block, null when all were redacted. Null when there are none.
 */
export function answerReasoning(blocks: ThinkingBlock[]): { content: string | null; blocks: ThinkingBlock[] } | null {
  if (blocks.length === 0) return null;
  const shown = blocks.filter((b): b is Extract<ThinkingBlock, { type: "thinking" }> => b.type === "thinking");
  return { content: shown.length > 0 ? shown.map((b) => b.thinking).join("") : null, blocks };
}
