/**
 * Anthropic Message → OpenAI ChatCompletion (https://docs.anthropic.com/en/api/messages).
 * Text blocks are concatenated; tool_use blocks become tool_calls, except our response_format tool,
 * whose input is the JSON answer; thinking and redacted_thinking blocks become the message's
 * `reasoning_content` (their text) and `thinking_blocks` (the blocks, signatures and data intact, for the
 * client to send back: thinking-blocks.ts). Their tokens are in Anthropic's output_tokens (usage.ts).
 *
 * With response_format, when the answer has a JSON-tool block the content is the first such block's
 * input alone: the model's text, wherever it comes, and later JSON-tool blocks are dropped, also when
 * the model calls client tools too (which stay tool_calls), so the content is the JSON the client asked
 * for and parses. Without a JSON-tool block the content is the text. The stream translator (stream.ts)
 * follows the same rule, so both give one vendor answer the same content and tool calls.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import { type ChatCompletion, type ResponseContext, type ThinkingBlock, type ToolCall, VendorProtocolError } from "../types.ts";
import { assistantCompletion } from "../assistant-completion.ts";
import { anthropicFinishReason } from "./stop-reason.ts";
import { answerReasoning, answerThinking } from "./thinking-blocks.ts";
import { JSON_TOOL_NAME } from "./tools.ts";
import { type AnthropicUsage, convertAnthropicUsage } from "./usage.ts";

type AnthropicBlock = { type: string; text?: string; id?: string; name?: string; input?: unknown; thinking?: unknown; signature?: unknown; data?: unknown };

interface AnthropicMessageBody {
  type?: string;
  content: AnthropicBlock[];
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
  let json: string | null = null;
  const toolCalls: ToolCall[] = [];
  const thinking: ThinkingBlock[] = [];
  for (const item of body.content as unknown[]) {
    // Content blocks are objects, each with a `type`; anything else (null, "x", a list) is no Message
    // Anthropic documents: refused, as a malformed answer is, not a TypeError read as a network failure.
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw new VendorProtocolError("Anthropic sent a content block that is not an object.");
    const block = item as AnthropicBlock;
    const thought = answerThinking(block);
    if (thought) thinking.push(thought);
    else if (block.type === "text" && typeof block.text === "string") text += block.text;
    else if (block.type === "tool_use" && block.name === JSON_TOOL_NAME) json ??= JSON.stringify(block.input ?? {});
    else if (block.type === "tool_use") {
      // Dropped, the client would get finish_reason "tool_calls" without the call; the stream refuses it too.
      if (typeof block.id !== "string" || typeof block.name !== "string") throw new VendorProtocolError("Anthropic sent a tool_use block without a string id and name.");
      toolCalls.push({ id: block.id, type: "function", function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const finish = anthropicFinishReason(body.stop_reason, toolCalls.length, json !== null);
  const content = json ?? (text === "" ? null : text);
  const reasoning = answerReasoning(thinking) ?? undefined;
  return assistantCompletion(ctx, { content, toolCalls, finishReason: finish, reasoning }, convertAnthropicUsage(body.usage));
}
