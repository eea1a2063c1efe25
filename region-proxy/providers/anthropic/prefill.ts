/**
 * The final assistant turn of a conversation that ends on one is Anthropic's prefill: the model
 * continues it rather than answering anew
 * (https://docs.anthropic.com/en/docs/build-with-claude/prompt-engineering/prefill-claudes-response),
 * which clients written for Claude rely on. Anthropic refuses a prefill whose text ends in whitespace
 * ("messages: final assistant content cannot end with trailing whitespace"), so its last text block
 * is sent without it, and left out, like any whitespace-only text, if nothing else is left; a turn
 * left empty so is left out too.
 *
 * @example trimPrefill([{ role: "assistant", content: [{ type: "text", text: "Sure. " }] }]) // [{ role: "assistant", content: [{ type: "text", text: "Sure." }] }]
 */
import type { ChatMessage } from "../types.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { takesPrefill } from "./claude-generation.ts";
import type { AnthropicMessage } from "./messages.ts";

export function trimPrefill(turns: AnthropicMessage[]): AnthropicMessage[] {
  const last = turns.at(-1);
  const block = last?.content.at(-1);
  if (last?.role !== "assistant" || block?.type !== "text" || typeof block.text !== "string") return turns;
  const text = block.text.trimEnd();
  const content = text === "" ? last.content.slice(0, -1) : [...last.content.slice(0, -1), { ...block, text }];
  return content.length === 0 ? turns.slice(0, -1) : [...turns.slice(0, -1), { role: "assistant", content }];
}

/**
 * Claude Opus 4.6, Sonnet 4.6 and later take no prefill: a conversation ending on an assistant turn
 * is their 400 "This model does not support assistant message prefill" (claude-generation.ts). It is
 * refused before the call, naming the assistant message the conversation ends on, so a chain skips
 * this deployment for one that continues it.
 *
 * @example refuseUnsupportedPrefill([{ role: "user", ... }, { role: "assistant", ... }], messages, "claude-opus-4-6") // throws UnsupportedParameterError("messages[1]", ...)
 */
export function refuseUnsupportedPrefill(sent: AnthropicMessage[], messages: ChatMessage[], model: string): void {
  if (sent.at(-1)?.role !== "assistant" || takesPrefill(model)) return;
  const last = messages.map((m) => m.role).lastIndexOf("assistant");
  throw new UnsupportedParameterError(
    `messages[${last}]`,
    "This model does not continue a conversation ending on an assistant message (a prefill; Claude Opus 4.6, Sonnet 4.6 and later); end it with a user message, or use a model that takes a prefill.",
  );
}
