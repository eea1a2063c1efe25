/**
 * Gemini `finishReason` → OpenAI `finish_reason` (https://ai.google.dev/api/generate-content#FinishReason).
 * Every safety-like stop (SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII, IMAGE_SAFETY...)
 * is `content_filter`; STOP with function calls is `tool_calls`.
 */
const FILTERED = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION"]);

export function mapGeminiFinishReason(reason: string | null | undefined, calledTools: boolean): string | null {
  if (reason === null || reason === undefined) return null;
  if (reason === "MAX_TOKENS") return "length";
  if (FILTERED.has(reason)) return "content_filter";
  return calledTools ? "tool_calls" : "stop";
}
