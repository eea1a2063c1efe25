/**
 * Gemini usageMetadata → NormalizedUsage (https://ai.google.dev/api/generate-content#UsageMetadata).
 * promptTokenCount already includes cachedContentTokenCount; tool-use prompt tokens are billed as
 * input. Thinking is billed as output but reported apart: outputTokens = candidates + thoughts.
 * Gemini leaves out a count that is 0 (proto3 JSON), so only promptTokenCount, never 0, is required.
 * Null when the usage is unusable (usage-counts.ts): no promptTokenCount, or any count that is not a
 * non-negative integer within MAX_REQUEST_TOKENS; the answer is then charged the estimate, as if it
 * had sent no usage.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import { optionalCount, reportedCount, sumCounts, usableUsage } from "../usage-counts.ts";

export interface GeminiUsage {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

export function convertGeminiUsage(usage: GeminiUsage | null | undefined): NormalizedUsage | null {
  if (typeof usage !== "object" || usage === null) return null;
  const thoughts = optionalCount(usage.thoughtsTokenCount);
  if (optionalCount(usage.totalTokenCount) === null) return null;
  return usableUsage({
    inputTokens: sumCounts(reportedCount(usage.promptTokenCount), optionalCount(usage.toolUsePromptTokenCount)),
    outputTokens: sumCounts(optionalCount(usage.candidatesTokenCount), thoughts),
    cachedInputTokens: optionalCount(usage.cachedContentTokenCount),
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
  });
}

/**
 * A usage block with the answer's own count (candidatesTokenCount: "the number of tokens across all the
 * generated response candidates"), the only kind that can be the answer's final usage, the one a stream
 * may end on. Gemini's events before the last carry the prompt's count, and a thinking model's (2.5) the
 * thoughts' count too from its first event on (thoughtsTokenCount is the thinking so far, not the
 * answer's). An answer of 0 candidate tokens leaves the count out (proto3 JSON), so its usage cannot be
 * told from an earlier event's: it is charged as a usage without the answer's count is, which for an
 * answer with no text is its thoughts, as its usage says.
 */
export function hasGeminiAnswerCount(usage: GeminiUsage | null | undefined): boolean {
  return !!usage && typeof usage.candidatesTokenCount === "number";
}

/** Whether a usageMetadata block carries any count (streams send `{"trafficType":...}` alone). */
export function hasGeminiCounts(usage: GeminiUsage | null | undefined): boolean {
  return !!usage && ["promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "totalTokenCount"].some((k) => typeof (usage as Record<string, unknown>)[k] === "number");
}
