/**
 * OpenAI non-stream response: checked for the shape we rely on, then passed through with the id the
 * gateway gives the client. An answer without usage (OpenAI always sends it; a compatible server may
 * not) is charged an estimate, never nothing.
 */
import { ZERO_USAGE, type NormalizedUsage } from "../../../shared/money/cost.ts";
import { VendorProtocolError, type ChatCompletion, type ResponseContext } from "../types.ts";
import { convertOpenAIUsage } from "./usage.ts";

export function parseOpenAIResponse(body: unknown, ctx: ResponseContext): { completion: ChatCompletion; usage: NormalizedUsage } {
  const choices = typeof body === "object" && body !== null ? (body as { choices?: unknown }).choices : undefined;
  // An answer with no choice at all is no answer: an SDK reading choices[0] would crash on it.
  if (!Array.isArray(choices) || choices.length === 0) throw new VendorProtocolError("vendor response has no choices");
  const vendor = body as ChatCompletion;
  const completion: ChatCompletion = { ...vendor, id: ctx.completionId, object: "chat.completion", model: typeof vendor.model === "string" ? vendor.model : ctx.model };
  return { completion, usage: convertOpenAIUsage(vendor.usage) ?? estimatedUsage(completion, ctx) };
}

/** For an answer without usage: the prompt estimate, and one output token per 4 characters answered. */
function estimatedUsage(completion: ChatCompletion, ctx: ResponseContext): NormalizedUsage {
  let chars = 0;
  for (const { message } of completion.choices) {
    if (typeof message?.content === "string") chars += message.content.length;
    for (const call of message?.tool_calls ?? []) chars += (call.function?.name?.length ?? 0) + (call.function?.arguments?.length ?? 0);
  }
  return { ...ZERO_USAGE, inputTokens: ctx.promptEstimate?.(ctx.model) ?? 0, outputTokens: Math.ceil(chars / 4) };
}
