/**
 * OpenAI usage → NormalizedUsage. `prompt_tokens` includes cached tokens and, from GPT-5.6 on, the
 * tokens written to the prompt cache (`prompt_tokens_details.cache_write_tokens`, billed at 1.25x
 * input: https://developers.openai.com/api/docs/guides/prompt-caching); `completion_tokens` includes
 * reasoning tokens (https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage).
 * Null when the usage is unusable (usage-counts.ts): prompt_tokens or completion_tokens missing, or
 * any count that is not a non-negative integer within MAX_REQUEST_TOKENS; the answer is then
 * charged the estimate, as if it had sent no usage.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import type { OpenAIUsage } from "../types.ts";
import { optionalCount, reportedCount, usableUsage } from "../usage-counts.ts";

/** A `*_tokens_details` object; absent or null has no counts, anything else but an object is garbage. */
const details = (v: unknown): Record<string, unknown> | null => (v === undefined || v === null ? {} : typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

export function convertOpenAIUsage(usage: unknown): NormalizedUsage | null {
  if (typeof usage !== "object" || usage === null) return null;
  const u = usage as Record<string, unknown>;
  const prompt = details(u.prompt_tokens_details);
  const completion = details(u.completion_tokens_details);
  if (!prompt || !completion || optionalCount(u.total_tokens) === null) return null;
  return usableUsage({
    inputTokens: reportedCount(u.prompt_tokens),
    outputTokens: reportedCount(u.completion_tokens),
    cachedInputTokens: optionalCount(prompt.cached_tokens),
    cacheWriteTokens: optionalCount(prompt.cache_write_tokens),
    reasoningTokens: optionalCount(completion.reasoning_tokens),
  });
}

/**
 * A usable vendor usage (convertOpenAIUsage) as the client sees it: as sent, but with `total_tokens`,
 * which a compatible server may leave out or send as null (convertOpenAIUsage takes either), as
 * prompt + completion: OpenAI's API reference and SDKs type it as a number (CompletionUsage).
 *
 * @example withTotalTokens({ prompt_tokens: 10, completion_tokens: 5, total_tokens: null }) // { ..., total_tokens: 15 }
 */
export function withTotalTokens(usage: OpenAIUsage): OpenAIUsage {
  if (typeof usage.total_tokens === "number") return usage;
  return { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
}
