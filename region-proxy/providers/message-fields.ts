/**
 * The fields of one OpenAI chat message that the translating adapters (Anthropic, Gemini) refuse
 * there, as refuseWithoutEquivalent refuses their top-level namesakes: an assistant message's
 * deprecated `function_call` (the call it made, before tool_calls) and `audio` (an earlier audio
 * answer, by id). Neither vendor can take either, and a message holding only one of them would
 * otherwise be dropped with its turn. Null asks for nothing (an SDK echoing an answer back sends both
 * as null).
 *
 * @example refuseMessageFields({ role: "assistant", content: null, audio: { id: "a" } }, "messages[1]") // throws UnsupportedParameterError("messages[1].audio", ...)
 */
import type { ChatMessage } from "./types.ts";
import { isSet, refuse } from "./refuse-without-equivalent.ts";

export function refuseMessageFields(message: ChatMessage, param: string): void {
  const fields = message as unknown as Record<string, unknown>;
  if (isSet(fields, "function_call")) refuse(`${param}.function_call`, "This provider does not support the deprecated 'function_call' in a message; use 'tool_calls'.");
  if (isSet(fields, "audio")) refuse(`${param}.audio`, "This provider answers text only and cannot take an earlier audio answer; send its transcript as the message's content.");
}
