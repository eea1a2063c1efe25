/**
 * Gemini usageMetadata → NormalizedUsage (https://ai.google.dev/api/generate-content#UsageMetadata).
 * promptTokenCount already includes cachedContentTokenCount; tool-use prompt tokens are billed as
 * input. Thinking is billed as output but reported apart: outputTokens = candidates + thoughts.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";

export interface GeminiUsage {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

const n = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

export function convertGeminiUsage(usage: GeminiUsage | null | undefined): NormalizedUsage {
  const thoughts = n(usage?.thoughtsTokenCount);
  return {
    inputTokens: n(usage?.promptTokenCount) + n(usage?.toolUsePromptTokenCount),
    outputTokens: n(usage?.candidatesTokenCount) + thoughts,
    cachedInputTokens: n(usage?.cachedContentTokenCount),
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
  };
}

/** Whether a usageMetadata block carries any count (streams send `{"trafficType":...}` alone). */
export function hasGeminiCounts(usage: GeminiUsage | null | undefined): boolean {
  return !!usage && ["promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "totalTokenCount"].some((k) => typeof (usage as Record<string, unknown>)[k] === "number");
}
