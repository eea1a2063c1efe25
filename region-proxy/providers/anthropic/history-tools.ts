/**
 * The tools a request must define when the client sent none but its history holds tool calls.
 * Anthropic refuses tool_use or tool_result blocks in a request without tools (400 "Requests which
 * include `tool_use` or `tool_result` blocks must define tools.", anthropics/anthropic-sdk-python#494,
 * BerriAI/litellm#4689), while OpenAI answers such a request: it is the second call of OpenAI's
 * function-calling guide. Each tool the history called is declared with a schema that takes any
 * object, and tool_choice `none` keeps the model from calling one (Anthropic's tool_choice options,
 * https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use; its SDKs'
 * ToolChoiceNone: "The model will not be allowed to use tools."), so it answers in text, as OpenAI
 * without tools does. A called
 * name Anthropic does not take as a tool's name (`calendar.list_events`, a call made on another
 * vendor) is declared with its other characters as `_`: with calls forbidden, the declaration only has
 * to exist.
 *
 * @example historyTools([{ role: "assistant", content: [{ type: "tool_use", id: "c", name: "a.b", input: {} }] }]) // { tools: [{ name: "a_b", input_schema: { type: "object" } }], tool_choice: { type: "none" } }
 */
import type { AnthropicMessage } from "./messages.ts";
import type { AnthropicTool } from "./tools.ts";

/** A tool_use block's name (any 1 to 200 characters) as a tool's name (^[a-zA-Z0-9_-]{1,128}$). */
const declaredName = (name: string) => name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 128);

/**
 * The tools and tool_choice to send for `messages` when the client sent no tools, or null when no
 * turn calls a tool. Only tool_use blocks are read: a tool_result is only sent answering one
 * (../tool-pairing.ts).
 */
export function historyTools(messages: AnthropicMessage[]): { tools: AnthropicTool[]; tool_choice: { type: "none" } } | null {
  let names: Set<string> | null = null;
  for (const message of messages) {
    if (message.role !== "assistant") continue;
    for (const block of message.content) {
      if (block.type === "tool_use") (names ??= new Set()).add(declaredName(block.name as string));
    }
  }
  if (names === null) return null;
  return { tools: [...names].map((name) => ({ name, input_schema: { type: "object" } })), tool_choice: { type: "none" } };
}
