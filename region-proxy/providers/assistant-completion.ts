/**
 * The one-choice ChatCompletion an adapter builds from a vendor answer that is not OpenAI's
 * (Anthropic, Gemini), and the usage it is charged: the vendor's when it is usable, otherwise the
 * estimate (usage-counts.ts), which is then also what the client sees as `usage`.
 *
 * @example assistantCompletion(ctx, { content: "Hi", toolCalls: [], finishReason: "stop" }, convertGeminiUsage(body.usageMetadata))
 */
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import { toOpenAIUsage } from "./to-openai-usage.ts";
import type { ChatCompletion, ResponseContext, ToolCall } from "./types.ts";
import { estimatedUsage } from "./usage-counts.ts";

export interface AssistantAnswer {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: string | null;
}

export function assistantCompletion(ctx: ResponseContext, answer: AssistantAnswer, vendorUsage: NormalizedUsage | null): { completion: ChatCompletion; usage: NormalizedUsage } {
  const { content, toolCalls, finishReason } = answer;
  const completion: ChatCompletion = {
    id: ctx.completionId,
    object: "chat.completion",
    created: ctx.created,
    model: ctx.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}), refusal: null },
        finish_reason: finishReason,
        logprobs: null,
      },
    ],
    system_fingerprint: null,
  };
  const usage = vendorUsage ?? estimatedUsage(completion, ctx);
  completion.usage = toOpenAIUsage(usage);
  return { completion, usage };
}
