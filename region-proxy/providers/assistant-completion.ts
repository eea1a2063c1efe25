/**
 * The ChatCompletion an adapter builds from a vendor answer that is not OpenAI's (Anthropic, Gemini),
 * one choice per answer (Gemini answers several for n > 1, each with its index), and the usage it is
 * charged: the vendor's when it is usable, otherwise the estimate (usage-counts.ts), which is then also
 * what the client sees as `usage`.
 *
 * @example assistantCompletion(ctx, { content: "Hi", toolCalls: [], finishReason: "stop" }, convertGeminiUsage(body.usageMetadata))
 */
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import { toOpenAIUsage } from "./to-openai-usage.ts";
import type { ChatCompletion, ResponseContext, ThinkingBlock, ToolCall } from "./types.ts";
import { estimatedUsage } from "./usage-counts.ts";

export interface AssistantAnswer {
  /** The choice's index; 0 when the vendor answers one choice. */
  index?: number;
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: string | null;
  /**
   * The thinking the model showed (Claude's extended thinking): its text as `reasoning_content`, the
   * de-facto field DeepSeek, vLLM and LiteLLM use, and its blocks as `thinking_blocks`, as LiteLLM gives
   * them, for the client to send back. Absent when the answer has no thinking; `content` null when all
   * of it was redacted (no text to show).
   */
  reasoning?: { content: string | null; blocks: ThinkingBlock[] };
}

export function assistantCompletion(ctx: ResponseContext, answer: AssistantAnswer | AssistantAnswer[], vendorUsage: NormalizedUsage | null): { completion: ChatCompletion; usage: NormalizedUsage } {
  const answers = Array.isArray(answer) ? answer : [answer];
  const completion: ChatCompletion = {
    id: ctx.completionId,
    object: "chat.completion",
    created: ctx.created,
    model: ctx.model,
    choices: answers.map(({ index, content, toolCalls, finishReason, reasoning }) => ({
      index: index ?? 0,
      message: {
        role: "assistant" as const,
        content,
        ...(reasoning && reasoning.content !== null ? { reasoning_content: reasoning.content } : {}),
        ...(reasoning ? { thinking_blocks: reasoning.blocks } : {}),
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        refusal: null,
      },
      finish_reason: finishReason,
      logprobs: null,
    })),
    system_fingerprint: null,
  };
  const usage = vendorUsage ?? estimatedUsage(completion, ctx);
  completion.usage = toOpenAIUsage(usage);
  return { completion, usage };
}
