/**
 * Gemini GenerateContentResponse → OpenAI ChatCompletion (https://ai.google.dev/api/generate-content).
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import { type ChatCompletion, type ResponseContext, VendorProtocolError } from "../types.ts";
import { toOpenAIUsage } from "../anthropic/usage.ts";
import { estimatedUsage } from "../usage-counts.ts";
import { isGeminiResponse, readCandidate, toolCallId } from "./candidate.ts";
import { mapGeminiFinishReason } from "./finish-reason.ts";
import { convertGeminiUsage } from "./usage.ts";

export function parseGeminiResponse(body: unknown, ctx: ResponseContext): { completion: ChatCompletion; usage: NormalizedUsage } {
  if (!isGeminiResponse(body)) throw new VendorProtocolError("Gemini answered something that is not a GenerateContentResponse.");
  const view = readCandidate(body);
  const toolCalls = view.calls.map((call, i) => ({
    id: toolCallId(ctx.completionId, call.id, i),
    type: "function" as const,
    function: { name: call.name, arguments: JSON.stringify(call.args) },
  }));
  const completion: ChatCompletion = {
    id: ctx.completionId,
    object: "chat.completion",
    created: ctx.created,
    model: ctx.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: view.text === "" ? null : view.text, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}), refusal: null },
        finish_reason: mapGeminiFinishReason(view.finishReason, toolCalls.length > 0) ?? "stop",
        logprobs: null,
      },
    ],
    system_fingerprint: null,
  };
  // Without usable usage (usage-counts.ts), the estimate: charged, and what the client sees.
  const usage = convertGeminiUsage(body.usageMetadata) ?? estimatedUsage(completion, ctx);
  completion.usage = toOpenAIUsage(usage);
  return { completion, usage };
}
