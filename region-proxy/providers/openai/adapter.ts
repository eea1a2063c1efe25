/** The OpenAI adapter: a pure translator (no I/O), Azure reuses its pieces. */
import type { ProviderAdapter } from "../types.ts";
import { openaiEmbeddings } from "./embeddings.ts";
import { classifyOpenAIError } from "./errors.ts";
import { buildOpenAIRequest } from "./request.ts";
import { parseOpenAIResponse } from "./response.ts";
import { createOpenAIStreamTranslator } from "./stream.ts";

export const openaiAdapter: ProviderAdapter = {
  kind: "openai",
  buildRequest: buildOpenAIRequest,
  parseResponse: parseOpenAIResponse,
  createStreamTranslator: createOpenAIStreamTranslator,
  classifyError: classifyOpenAIError,
  embeddings: openaiEmbeddings,
};
