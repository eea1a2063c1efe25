/**
 * Anthropic usage → NormalizedUsage. Anthropic's `input_tokens` excludes cached tokens: the prompt is
 * input + cache_read + cache_creation (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching).
 * Thinking tokens are billed as output and not broken out, so reasoningTokens stays 0.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import type { OpenAIUsage } from "../types.ts";

export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

const n = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

export function convertAnthropicUsage(usage: AnthropicUsage | null | undefined): NormalizedUsage {
  const cached = n(usage?.cache_read_input_tokens);
  const written = n(usage?.cache_creation_input_tokens);
  return {
    inputTokens: n(usage?.input_tokens) + cached + written,
    outputTokens: n(usage?.output_tokens),
    cachedInputTokens: cached,
    cacheWriteTokens: written,
    reasoningTokens: 0,
  };
}

/** NormalizedUsage → the `usage` object an OpenAI client reads. Shared by every non-OpenAI adapter. */
export function toOpenAIUsage(usage: NormalizedUsage): OpenAIUsage {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}
