/**
 * The Gemini adapter: OpenAI chat requests in, Gemini generateContent on the wire, OpenAI
 * completions and chunks out. Pure translation; the executor does the I/O.
 */
import { geminiEmbeddings } from "./embeddings.ts";
import type { ProviderAdapter } from "../types.ts";
import { classifyGeminiError } from "./errors.ts";
import { buildGeminiRequest } from "./request.ts";
import { parseGeminiResponse } from "./response.ts";
import { createGeminiStreamTranslator } from "./stream.ts";

export const geminiAdapter: ProviderAdapter = {
  kind: "gemini",
  buildRequest: buildGeminiRequest,
  parseResponse: parseGeminiResponse,
  createStreamTranslator: createGeminiStreamTranslator,
  classifyError: (status, headers, body) => classifyGeminiError(status, headers, body),
  embeddings: geminiEmbeddings,
};
