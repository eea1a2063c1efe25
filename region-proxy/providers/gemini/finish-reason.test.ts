/**
 * Every FinishReason Gemini documents (https://ai.google.dev/api/generate-content#FinishReason, plus
 * Vertex's MODEL_ARMOR), unstreamed and streamed alike: a candidate whose content was flagged and
 * withheld is content_filter, one cut by the token limit length, one whose output cannot be used for the
 * request refused as an unusable answer (not the deployment failing), and the rest the model's answer.
 */
import { expect, test } from "bun:test";
import type { ResponseContext, SseEvent } from "../types.ts";
import { UnusableAnswerError } from "../unusable-answer.ts";
import { mapGeminiFinishReason } from "./finish-reason.ts";
import { parseGeminiResponse } from "./response.ts";
import { createGeminiStreamTranslator } from "./stream.ts";

const ctx: ResponseContext = { completionId: "chatcmpl-1", created: 1, model: "gemini-x", includeUsage: false };
const usageMetadata = { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 };
const body = (finishReason: string) => ({ candidates: [{ content: { role: "model", parts: [{ text: "Hi" }] }, finishReason, index: 0 }], usageMetadata });

const EXPECTED: Record<string, string | "refused"> = {
  FINISH_REASON_UNSPECIFIED: "stop",
  STOP: "stop",
  MAX_TOKENS: "length",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
  LANGUAGE: "content_filter",
  OTHER: "stop",
  BLOCKLIST: "content_filter",
  PROHIBITED_CONTENT: "content_filter",
  SPII: "content_filter",
  MALFORMED_FUNCTION_CALL: "refused",
  IMAGE_SAFETY: "content_filter",
  IMAGE_PROHIBITED_CONTENT: "content_filter",
  IMAGE_OTHER: "content_filter",
  NO_IMAGE: "stop",
  IMAGE_RECITATION: "content_filter",
  UNEXPECTED_TOOL_CALL: "refused",
  TOO_MANY_TOOL_CALLS: "refused",
  MISSING_THOUGHT_SIGNATURE: "refused",
  MALFORMED_RESPONSE: "refused",
  MODEL_ARMOR: "content_filter",
};

function streamed(finishReason: string): string | null | undefined {
  const t = createGeminiStreamTranslator(ctx);
  t.onEvent({ event: null, data: JSON.stringify(body(finishReason)) } as unknown as SseEvent);
  return t.finish().chunks.at(-1)?.choices[0]?.finish_reason;
}

for (const [reason, expected] of Object.entries(EXPECTED)) {
  test(`${reason}: ${expected}, unstreamed and streamed`, () => {
    if (expected === "refused") {
      expect(() => parseGeminiResponse(body(reason), ctx)).toThrow(UnusableAnswerError);
      expect(() => streamed(reason)).toThrow(UnusableAnswerError);
      return;
    }
    expect(mapGeminiFinishReason(reason, false)).toBe(expected);
    expect(parseGeminiResponse(body(reason), ctx).completion.choices[0]!.finish_reason).toBe(expected);
    expect(streamed(reason)).toBe(expected);
  });
}

test("a candidate that called tools and stopped is tool_calls; one flagged after calling is still content_filter", () => {
  expect(mapGeminiFinishReason("STOP", true)).toBe("tool_calls");
  expect(mapGeminiFinishReason("LANGUAGE", true)).toBe("content_filter");
  expect(mapGeminiFinishReason("MAX_TOKENS", true)).toBe("length");
});
