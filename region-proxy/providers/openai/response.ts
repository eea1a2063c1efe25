/**
 * OpenAI non-stream response: checked for the shape we rely on, then passed through with the id the
 * gateway gives the client.
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
  return { completion, usage: convertOpenAIUsage(vendor.usage) ?? { ...ZERO_USAGE } };
}
