/**
 * OpenAI usage → NormalizedUsage. `prompt_tokens` includes cached tokens and `completion_tokens`
 * includes reasoning tokens (https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage).
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";

const count = (v: unknown) => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : 0);

export function convertOpenAIUsage(usage: unknown): NormalizedUsage | null {
  if (typeof usage !== "object" || usage === null) return null;
  const u = usage as Record<string, unknown>;
  const prompt = (u.prompt_tokens_details ?? {}) as Record<string, unknown>;
  const completion = (u.completion_tokens_details ?? {}) as Record<string, unknown>;
  return {
    inputTokens: count(u.prompt_tokens),
    outputTokens: count(u.completion_tokens),
    cachedInputTokens: count(prompt.cached_tokens),
    cacheWriteTokens: 0,
    reasoningTokens: count(completion.reasoning_tokens),
  };
}
