/**
 * Gemini GenerateContentResponse → OpenAI ChatCompletion (https://ai.google.dev/api/generate-content).
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import { type ChatCompletion, type ResponseContext, VendorProtocolError } from "../types.ts";
import { assistantCompletion } from "../assistant-completion.ts";
import { isGeminiResponse, readCandidate, toolCallId } from "./candidate.ts";
import { mapGeminiFinishReason } from "./finish-reason.ts";
import { convertGeminiUsage } from "./usage.ts";

export function parseGeminiResponse(body: unknown, ctx: ResponseContext): { completion: ChatCompletion; usage: NormalizedUsage } {
  if (!isGeminiResponse(body)) throw new VendorProtocolError("Gemini answered something that is not a GenerateContentResponse.");
  const view = readCandidate(body);
  const toolCalls = view.calls.map((call) => ({
    id: toolCallId(call.id),
    type: "function" as const,
    function: { name: call.name, arguments: JSON.stringify(call.args) },
  }));
  const finishReason = mapGeminiFinishReason(view.finishReason, toolCalls.length > 0) ?? "stop";
  return assistantCompletion(ctx, { content: view.text === "" ? null : view.text, toolCalls, finishReason }, convertGeminiUsage(body.usageMetadata));
}
