/**
 * Anthropic usage → NormalizedUsage. Anthropic's `input_tokens` excludes cached tokens: the prompt is
 * input + cache_read + cache_creation (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching).
 * Thinking tokens are billed as output and counted in output_tokens, not broken out, so reasoningTokens
 * stays 0: the thinking is charged once, at the output rate, as Anthropic bills it, streamed or not. (An
 * answer without usable usage is estimated from its text instead, its shown thinking as reasoning tokens
 * of the output: usage-counts.ts estimatedUsage, vendor-stream.ts usageSoFar.)
 * Null when the usage is unusable (usage-counts.ts): input_tokens or output_tokens missing, or any
 * count that is not a non-negative integer within MAX_REQUEST_TOKENS; the answer is then charged the
 * estimate, as if it had sent no usage.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import { optionalCount, reportedCount, sumCounts, usableUsage } from "../usage-counts.ts";

export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

export function convertAnthropicUsage(usage: AnthropicUsage | null | undefined): NormalizedUsage | null {
  if (typeof usage !== "object" || usage === null) return null;
  const cached = optionalCount(usage.cache_read_input_tokens);
  const written = optionalCount(usage.cache_creation_input_tokens);
  return usableUsage({
    inputTokens: sumCounts(reportedCount(usage.input_tokens), cached, written),
    outputTokens: reportedCount(usage.output_tokens),
    cachedInputTokens: cached,
    cacheWriteTokens: written,
    reasoningTokens: 0,
  });
}
