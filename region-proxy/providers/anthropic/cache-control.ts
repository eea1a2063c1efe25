/**
 * Anthropic's prompt-cache breakpoints, which clients of OpenAI-format gateways write as Anthropic does
 * (LiteLLM passes them so): `cache_control: {type: "ephemeral"}` on a text or image_url content part,
 * or on a message, caches the prompt up to and including that block
 * (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching). A part's goes on the block it
 * becomes (a system or developer message's parts are one system block each; a blank part's, which
 * becomes none, on the block before it in its message: content.ts convertSystemContent); a message's on the last
 * block it becomes (its string content's, its tool_result, its last system block). A tool message is
 * sent as one tool_result block, so there only its last part can carry one: an earlier part's
 * breakpoint has no top-level block ending where it asks.
 * Usage reports the cache write and read tokens (usage.ts), billed as those classes.
 *
 * The value is checked, not rebuilt: only `type: "ephemeral"` and `ttl: "5m"` (Anthropic's default) are
 * taken. `ttl: "1h"` is refused: Anthropic bills a 1-hour cache write at 2x the input rate, and the
 * price table holds one cache-write rate (the 5-minute one, 1.25x), so it would be charged and reserved
 * below its cost (as an unpriced service tier is refused, service-tier.ts).
 *
 * @example cacheControlOf({ type: "ephemeral" }, "messages[0].cache_control") // { type: "ephemeral" }
 * @example cacheControlOf({ type: "ephemeral", ttl: "1h" }, "messages[0].cache_control") // throws UnsupportedParameterError("messages[0].cache_control.ttl", ...)
 */
import type { ChatMessage } from "../types.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import type { AnthropicBlock } from "./content.ts";

/** The field Anthropic's translation takes on messages and content parts beyond OpenAI's (message-fields.ts). */
export const CACHE_CONTROL_FIELD: ReadonlySet<string> = new Set(["cache_control"]);

export type CacheControl = { type: "ephemeral"; ttl?: "5m" };

const UNPRICED_TTL = "The gateway prices prompt-cache writes at the 5-minute rate; a 1-hour cache write costs more than it would record, so only ttl '5m' (the default) is accepted.";

/** The breakpoint `value` asks for (null or absent: none), or a 400 naming what in it Anthropic would not take or the gateway cannot price. */
export function cacheControlOf(value: unknown, param: string): CacheControl | undefined {
  if (value == null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw new UnsupportedParameterError(param, "cache_control must be an object: {type: 'ephemeral'}.");
  const fields = value as Record<string, unknown>;
  if (fields.type !== "ephemeral") throw new UnsupportedParameterError(`${param}.type`, "cache_control.type must be 'ephemeral'.");
  if (fields.ttl === "1h") throw new UnsupportedParameterError(`${param}.ttl`, UNPRICED_TTL);
  if (fields.ttl !== undefined && fields.ttl !== "5m") throw new UnsupportedParameterError(`${param}.ttl`, "cache_control.ttl must be '5m'.");
  for (const key in fields) {
    if (key !== "type" && key !== "ttl") throw new UnsupportedParameterError(`${param}.${key}`, `This provider does not support '${key}' in cache_control.`, param);
  }
  return value as CacheControl;
}

/** Puts the breakpoint `value` asks for on `block`, which the translation made for this request. */
export function markBlock(block: AnthropicBlock, value: unknown, param: string): void {
  const cacheControl = cacheControlOf(value, param);
  if (cacheControl) block.cache_control = cacheControl;
}

/** Puts a message's own breakpoint on the last of its blocks; a message that became none has nothing to mark. */
export function markMessage(blocks: AnthropicBlock[], message: ChatMessage, param: string): void {
  const value = (message as { cache_control?: unknown }).cache_control;
  if (value == null) return;
  const last = blocks.at(-1);
  if (!last) throw new UnsupportedParameterError(`${param}.cache_control`, "This message sends this provider no content (only whitespace), so there is nothing to cache up to.");
  markBlock(last, value, `${param}.cache_control`);
}

/**
 * Puts the breakpoint of a tool message on the one tool_result block it became: the message's own, or
 * its last part's. An earlier part's is refused, naming it: its parts are that one block's content.
 */
export function markToolResult(block: AnthropicBlock, message: ChatMessage, param: string): void {
  const content = message.content;
  let value = (message as { cache_control?: unknown }).cache_control;
  let at = `${param}.cache_control`;
  if (Array.isArray(content)) {
    for (let k = 0; k < content.length; k++) {
      const part = content[k] as { cache_control?: unknown };
      if (part.cache_control == null) continue;
      if (k < content.length - 1) {
        throw new UnsupportedParameterError(`${param}.content[${k}].cache_control`, "This provider gets a tool message as one tool_result block of its parts: only its last part (or the message) can carry cache_control.");
      }
      if (value == null) {
        value = part.cache_control;
        at = `${param}.content[${k}].cache_control`;
      }
    }
  }
  if (value != null) markBlock(block, value, at);
}
