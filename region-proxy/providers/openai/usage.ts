/**
 * OpenAI usage → NormalizedUsage. `prompt_tokens` includes cached tokens and, from GPT-5.6 on, the
 * tokens written to the prompt cache (`prompt_tokens_details.cache_write_tokens`, billed at 1.25x
 * input: https://developers.openai.com/api/docs/guides/prompt-caching); `completion_tokens` includes
 * reasoning tokens (https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage).
 * Some OpenAI-compatible servers count the reasoning apart, as Gemini does (thoughtsTokenCount beside
 * candidatesTokenCount): completion_tokens the visible answer only, total_tokens = prompt + completion
 * + reasoning (CLIProxyAPI#5733, any-llm#1290). A usage that can only be read so (reasoningApart) is
 * billed completion + reasoning as output, never the reasoning cut to the answer's size.
 * Null when the usage is unusable (usage-counts.ts): prompt_tokens or completion_tokens missing, or
 * any count that is not a non-negative integer within MAX_REQUEST_TOKENS; the answer is then
 * charged the estimate, as if it had sent no usage.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import type { OpenAIUsage } from "../types.ts";
import { optionalCount, reportedCount, sumCounts, usableUsage } from "../usage-counts.ts";

/** A `*_tokens_details` object; absent or null has no counts, anything else but an object is garbage. */
const details = (v: unknown): Record<string, unknown> | null => (v === undefined || v === null ? {} : typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

export function convertOpenAIUsage(usage: unknown): NormalizedUsage | null {
  if (typeof usage !== "object" || usage === null) return null;
  const u = usage as Record<string, unknown>;
  const prompt = details(u.prompt_tokens_details);
  const completion = details(u.completion_tokens_details);
  if (!prompt || !completion || optionalCount(u.total_tokens) === null) return null;
  const inputTokens = reportedCount(u.prompt_tokens);
  const answered = reportedCount(u.completion_tokens);
  const reasoningTokens = optionalCount(completion.reasoning_tokens);
  const apart = inputTokens !== null && answered !== null && reasoningTokens !== null && reasoningApart(inputTokens, answered, reasoningTokens, u.total_tokens);
  return usableUsage({
    inputTokens,
    outputTokens: apart ? sumCounts(answered, reasoningTokens) : answered,
    cachedInputTokens: optionalCount(prompt.cached_tokens),
    cacheWriteTokens: optionalCount(prompt.cache_write_tokens),
    reasoningTokens,
  });
}

/**
 * Whether a vendor counted the reasoning apart from completion_tokens: more reasoning than completion
 * (it cannot be a part of it), or a total of prompt + completion + reasoning where OpenAI's is prompt +
 * completion.
 */
function reasoningApart(prompt: number, completion: number, reasoning: number, total: unknown): boolean {
  if (reasoning === 0) return false;
  return reasoning > completion || total === prompt + completion + reasoning;
}

/**
 * A vendor's usage as the client sees it, given what it is billed (`billed`: convertOpenAIUsage's
 * reading of it): as sent, but counted OpenAI's way. completion_tokens is the billed output (reasoning
 * a vendor counted apart included, reasoningApart); total_tokens, which a compatible server may leave
 * out or send as null (convertOpenAIUsage takes either), is prompt + completion: OpenAI's API
 * reference and SDKs type it as a number (CompletionUsage). A total sent as a number is kept (raised
 * to prompt + completion when completion_tokens was).
 *
 * @example shownOpenAIUsage({ prompt_tokens: 10, completion_tokens: 5, total_tokens: null }, billed) // { ..., total_tokens: 15 }
 */
export function shownOpenAIUsage(usage: OpenAIUsage, billed: NormalizedUsage): OpenAIUsage {
  if (typeof usage.total_tokens === "number" && usage.completion_tokens === billed.outputTokens) return usage;
  const sent = typeof usage.total_tokens === "number" ? usage.total_tokens : 0;
  return { ...usage, completion_tokens: billed.outputTokens, total_tokens: Math.max(sent, billed.inputTokens + billed.outputTokens) };
}
