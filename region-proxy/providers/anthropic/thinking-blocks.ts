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
import { UnsupportedParameterError } from "../unsupported-parameter.ts";

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

/**
 * The thinking blocks an assistant message carries back (`thinking_blocks`, as an answer gave them),
 * as Anthropic takes them first in that turn: each a thinking block with its text and signature, or a
 * redacted_thinking block with its data, sent exactly as received (Anthropic checks the signature; a
 * block altered or rebuilt is its 400). Anything else there is a 400 naming it. Only read when the
 * request thinks: without thinking Anthropic refuses them in the final assistant turn and ignores them
 * in earlier ones, so they are left out, as an echoed reasoning_content always is (message-fields.ts).
 *
 * @example echoedThinking({ role: "assistant", content: null, thinking_blocks: [{ type: "redacted_thinking", data: "Em…" }] }, "messages[1]") // [{ type: "redacted_thinking", data: "Em…" }]
 */
const THINKING_FIELDS: ReadonlySet<string> = new Set(["type", "thinking", "signature"]);
const REDACTED_FIELDS: ReadonlySet<string> = new Set(["type", "data"]);
/** Whether `block` has no field but these (null asks for nothing, as elsewhere in a message). */
const onlyFields = (block: Record<string, unknown>, known: ReadonlySet<string>) => Object.keys(block).every((key) => known.has(key) || block[key] == null);

export function echoedThinking(message: object, param: string): ThinkingBlock[] {
  const blocks = (message as { thinking_blocks?: unknown }).thinking_blocks;
  if (blocks === undefined || blocks === null) return [];
  if (!Array.isArray(blocks)) throw new UnsupportedParameterError(`${param}.thinking_blocks`, "thinking_blocks must be the list of thinking blocks an answer gave.");
  return blocks.map((block: unknown, j) => {
    const b = (typeof block === "object" && block !== null ? block : {}) as Record<string, unknown>;
    if (b.type === "thinking" && typeof b.thinking === "string" && typeof b.signature === "string" && onlyFields(b, THINKING_FIELDS)) {
      return { type: "thinking", thinking: b.thinking, signature: b.signature };
    }
    if (b.type === "redacted_thinking" && typeof b.data === "string" && onlyFields(b, REDACTED_FIELDS)) return { type: "redacted_thinking", data: b.data };
    throw new UnsupportedParameterError(
      `${param}.thinking_blocks[${j}]`,
      "A thinking block must be sent back as the answer gave it: {type: 'thinking', thinking, signature} or {type: 'redacted_thinking', data}.",
    );
  });
}
