/**
 * Checks that tool calls and their answers pair up, before the call, in OpenAI's terms (which OpenAI
 * enforces too): the tool messages answering an assistant message's tool_calls follow it directly,
 * one per call; system and developer messages between them are allowed, since they become system text
 * and leave the turns adjacent. Both translating adapters need it. Anthropic: every tool_result answers
 * a tool_use of the turn just before it, once, and every tool_use is answered in the turn just after it
 * ("unexpected `tool_use_id` found in `tool_result` blocks", "each tool_use must have a single result",
 * "`tool_use` ids were found without `tool_result` blocks immediately after"). Gemini: the content after
 * a function call turn holds one functionResponse per functionCall ("Please ensure that the number of
 * function response parts is equal to the number of function call parts of the function call turn.").
 * The calls of one assistant message need distinct ids, or the answers cannot be told apart (both
 * vendors refuse a repeat: Gemini counts the answers against the calls, Anthropic wants each tool_use
 * answered; OpenAI-compatible servers answer "duplicate tool_call_id", openclaw/openclaw#40897).
 * Otherwise the vendor's 400 would reach the client with no field named; here it names the tool
 * message's `tool_call_id`, the repeated `tool_calls[j].id`, or the `tool_calls` of the assistant
 * message left with calls unanswered.
 *
 * @example checkToolPairing([{ role: "tool", tool_call_id: "c", content: "x" }]) // throws, param messages[0].tool_call_id
 */
import type { ChatMessage } from "./types.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

/** The calls of the latest assistant message, while only tool (or system) messages have followed it. */
interface OpenCalls {
  index: number;
  ids: string[];
  answered: Set<string>;
}

function unanswered(open: OpenCalls | null): void {
  const missing = open ? open.ids.filter((id) => !open.answered.has(id)) : [];
  if (open && missing.length > 0) {
    throw new UnsupportedParameterError(
      `messages[${open.index}].tool_calls`,
      `Each tool call must be answered by a tool message right after the assistant message that made it, before the next user or assistant message; unanswered: ${missing.join(", ")}.`,
    );
  }
}

export function checkToolPairing(messages: ChatMessage[]): void {
  let open: OpenCalls | null = null;
  messages.forEach((message, i) => {
    const param = `messages[${i}].tool_call_id`;
    switch (message.role) {
      case "tool": {
        const id = message.tool_call_id;
        if (typeof id !== "string") throw new UnsupportedParameterError(param, "Tool messages need the tool_call_id they answer.");
        if (!open?.ids.includes(id)) {
          throw new UnsupportedParameterError(param, `A tool message must answer a tool call made by the assistant message just before it (only tool messages between them); '${id}' is not one of its calls.`);
        }
        if (open.answered.has(id)) throw new UnsupportedParameterError(param, `Tool call '${id}' is already answered by an earlier tool message; this provider takes one answer per call.`);
        open.answered.add(id);
        return;
      }
      case "user":
        unanswered(open);
        open = null;
        return;
      case "assistant": {
        unanswered(open);
        const ids = (message.tool_calls ?? []).map((call) => call.id);
        ids.forEach((id, j) => {
          const first = ids.indexOf(id);
          if (first < j) {
            throw new UnsupportedParameterError(`messages[${i}].tool_calls[${j}].id`, `Tool call id '${id}' is already used by tool_calls[${first}] of this message; each call needs its own id.`);
          }
        });
        open = ids.length > 0 ? { index: i, ids, answered: new Set() } : null;
        return;
      }
      default:
        return;
    }
  });
  unanswered(open);
}
