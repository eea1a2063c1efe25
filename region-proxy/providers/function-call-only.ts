/**
 * An assistant message's tool call as a function call, for the adapters of vendors without OpenAI's
 * custom tools (Anthropic, Gemini), which refuse a custom tool among `tools` (each tools.ts) and so
 * cannot be sent a history in which one was called either: such a call (`type: "custom"`, GPT-5's
 * free-form input) is a 400 naming its `type`, before the call, never dropped (the model would not see
 * what it did) nor turned into a function call of a tool it does not have.
 *
 * @example functionCallOnly({ id: "c", type: "custom", custom: { name: "x", input: "" } }, "messages[1].tool_calls[0]") // throws, param messages[1].tool_calls[0].type
 */
import type { MessageToolCall, ToolCall } from "./types.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

export function functionCallOnly(call: MessageToolCall, param: string): ToolCall {
  if (call.type === "custom") {
    throw new UnsupportedParameterError(`${param}.type`, "This provider has no custom tools: a tool call of type 'custom' cannot be sent to it, only calls of type 'function'.");
  }
  return call;
}
