/**
 * OpenAI non-stream response: checked for the shape we rely on, then passed through with the id the
 * gateway gives the client.
 */
import { ZERO_USAGE, type NormalizedUsage } from "../../../shared/money/cost.ts";
import { VendorProtocolError, type ChatCompletion, type ResponseContext } from "../types.ts";
import { convertOpenAIUsage } from "./usage.ts";

export function parseOpenAIResponse(body: unknown, ctx: ResponseContext): { completion: ChatCompletion; usage: NormalizedUsage } {
  if (typeof body !== "object" || body === null || !Array.isArray((body as { choices?: unknown }).choices)) {
    throw new VendorProtocolError("vendor response has no choices array");
  }
  const vendor = body as ChatCompletion;
  const completion: ChatCompletion = { ...vendor, id: ctx.completionId, object: "chat.completion", model: typeof vendor.model === "string" ? vendor.model : ctx.model };
  return { completion, usage: convertOpenAIUsage(vendor.usage) ?? { ...ZERO_USAGE } };
}
