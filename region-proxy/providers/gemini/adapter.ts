/**
 * The Gemini adapter: OpenAI chat requests in, Gemini generateContent on the wire, OpenAI
 * completions and chunks out. Pure translation; the executor does the I/O.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import { geminiEmbeddings } from "./embeddings.ts";
import type { ProviderAdapter } from "../types.ts";
import { classifyGeminiError, geminiStreamErrorStatus } from "./errors.ts";
import { buildGeminiRequest } from "./request.ts";
import { parseGeminiResponse } from "./response.ts";
import { createGeminiStreamTranslator } from "./stream.ts";
import { convertGeminiUsage, type GeminiUsage } from "./usage.ts";

export const geminiAdapter: ProviderAdapter = {
  kind: "gemini",
  buildRequest: buildGeminiRequest,
  parseResponse: parseGeminiResponse,
  createStreamTranslator: createGeminiStreamTranslator,
  classifyError: (status, headers, body, operation) => classifyGeminiError(status, headers, body, Date.now(), operation),
  reportedUsage: reportedGeminiUsage,
  // A 200 body that is only Google's error object: read as the same object inside a stream is.
  errorStatus: geminiStreamErrorStatus,
  embeddings: geminiEmbeddings,
};

/** The usageMetadata a GenerateContentResponse reports, whatever else is wrong with it (null when unusable). */
function reportedGeminiUsage(body: unknown): NormalizedUsage | null {
  return typeof body === "object" && body !== null ? convertGeminiUsage((body as { usageMetadata?: GeminiUsage }).usageMetadata) : null;
}
