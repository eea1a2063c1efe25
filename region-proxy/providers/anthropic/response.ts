/**
 * Anthropic Message → OpenAI ChatCompletion (https://docs.anthropic.com/en/api/messages).
 * Text blocks are concatenated; tool_use blocks become tool_calls, except our response_format tool,
 * whose input is the JSON answer (the first such block's: later ones are dropped); thinking blocks have no place in an OpenAI completion and are dropped.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import { type ChatCompletion, type ResponseContext, type ToolCall, VendorProtocolError } from "../types.ts";
import { assistantCompletion } from "../assistant-completion.ts";
import { mapAnthropicStopReason } from "./stop-reason.ts";
import { JSON_TOOL_NAME } from "./tools.ts";
import { type AnthropicUsage, convertAnthropicUsage } from "./usage.ts";

interface AnthropicMessageBody {
  type?: string;
  content: { type: string; text?: string; id?: string; name?: string; input?: unknown }[];
  stop_reason: string | null;
  usage?: AnthropicUsage;
}

function isMessage(body: unknown): body is AnthropicMessageBody {
  const b = body as AnthropicMessageBody | null;
  return typeof b === "object" && b !== null && Array.isArray(b.content) && (b.type === undefined || b.type === "message");
}

export function parseAnthropicResponse(body: unknown, ctx: ResponseContext): { completion: ChatCompletion; usage: NormalizedUsage } {
  if (!isMessage(body)) throw new VendorProtocolError("Anthropic answered something that is not a Message.");
  let text = "";
  let jsonAnswer = false;
  const toolCalls: ToolCall[] = [];
  for (const block of body.content) {
    if (block.type === "text" && typeof block.text === "string") text += block.text;
    else if (block.type === "tool_use" && block.name === JSON_TOOL_NAME) {
      // Only the first JSON-tool block is the answer: a second JSON value after it would make the content unparseable.
      if (!jsonAnswer) text += JSON.stringify(block.input ?? {});
      jsonAnswer = true;
    } else if (block.type === "tool_use" && typeof block.id === "string" && typeof block.name === "string") {
      toolCalls.push({ id: block.id, type: "function", function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  let finish = mapAnthropicStopReason(body.stop_reason);
  if (finish === "tool_calls" && toolCalls.length === 0 && jsonAnswer) finish = "stop";
  // With only a JSON answer we drop the model's preamble: the client asked for JSON content.
  const content = jsonAnswer && toolCalls.length === 0 ? jsonText(body) : text === "" ? null : text;
  return assistantCompletion(ctx, { content, toolCalls, finishReason: finish }, convertAnthropicUsage(body.usage));
}

function jsonText(body: AnthropicMessageBody): string {
  const block = body.content.find((b) => b.type === "tool_use" && b.name === JSON_TOOL_NAME);
  return JSON.stringify(block?.input ?? {});
}
