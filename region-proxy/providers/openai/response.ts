/**
 * OpenAI non-stream response: checked for the shape we and the client's SDK rely on (choices with a
 * message, the fields check-choice-fields.ts checks in a stream too, tool calls as check-tool-calls.ts describes), then passed through with the id the
 * gateway gives the client and a missing message content as null, as OpenAI sends it: the parsed body
 * (the caller's, read for this answer alone) is the answer, set in place. An answer without usable usage (OpenAI always sends it; a compatible
 * server may not, or may send garbage) is charged an estimate, never nothing, and the client sees
 * that estimate as its `usage`.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import { VendorProtocolError, type ChatCompletion, type ResponseContext } from "../types.ts";
import { toOpenAIUsage } from "../to-openai-usage.ts";
import { estimatedUsage } from "../usage-counts.ts";
import { checkChoiceFields } from "./check-choice-fields.ts";
import { checkToolCalls } from "./check-tool-calls.ts";
import { convertOpenAIUsage, shownOpenAIUsage } from "./usage.ts";

export function parseOpenAIResponse(body: unknown, ctx: ResponseContext): { completion: ChatCompletion; usage: NormalizedUsage } {
  const choices = typeof body === "object" && body !== null ? (body as { choices?: unknown }).choices : undefined;
  // An answer with no choice at all is no answer: an SDK reading choices[0] would crash on it.
  if (!Array.isArray(choices) || choices.length === 0) throw new VendorProtocolError("vendor response has no choices");
  // Nor is a choice without a message object (null, a string): an SDK reading choices[0].message crashes.
  for (const choice of choices as unknown[]) {
    const message = typeof choice === "object" && choice !== null ? (choice as { message?: unknown }).message : undefined;
    if (typeof message !== "object" || message === null || Array.isArray(message)) throw new VendorProtocolError("vendor response has a choice without a message");
    // The same rules as a streamed choice's (an object content, a numeric finish_reason): the SDK's types promise strings.
    checkChoiceFields(choice as object, message, "response");
    checkToolCalls((message as { tool_calls?: unknown }).tool_calls);
    // OpenAI's message always has content, a string or null; Azure leaves the key out of an answer its
    // filter blocked (finish_reason content_filter), and clients test `content === null`.
    if (!("content" in message)) (message as { content?: unknown }).content = null;
  }
  // The parsed body is the answer itself, its fields set in place (no copy of it): a field it has keeps
  // its place in the JSON, one it lacks comes after the rest, as a spread copy would have them.
  const completion = body as ChatCompletion;
  completion.id = ctx.completionId;
  completion.object = "chat.completion";
  completion.model = typeof completion.model === "string" ? completion.model : ctx.model;
  const reported = convertOpenAIUsage(completion.usage);
  if (reported) {
    completion.usage = shownOpenAIUsage(completion.usage!, reported);
    return { completion, usage: reported };
  }
  const usage = estimatedUsage(completion, ctx);
  completion.usage = toOpenAIUsage(usage);
  return { completion, usage };
}
