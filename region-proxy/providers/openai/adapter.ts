/** The OpenAI adapter: a pure translator (no I/O), Azure reuses its pieces. */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import type { ProviderAdapter } from "../types.ts";
import { openaiEmbeddings } from "./embeddings.ts";
import { classifyOpenAIError } from "./errors.ts";
import { buildOpenAIRequest } from "./request.ts";
import { parseOpenAIResponse } from "./response.ts";
import { createOpenAIStreamTranslator } from "./stream.ts";
import { convertOpenAIUsage } from "./usage.ts";

export const openaiAdapter: ProviderAdapter = {
  kind: "openai",
  buildRequest: buildOpenAIRequest,
  parseResponse: parseOpenAIResponse,
  createStreamTranslator: createOpenAIStreamTranslator,
  classifyError: classifyOpenAIError,
  reportedUsage: reportedOpenAIUsage,
  embeddings: openaiEmbeddings,
};

/** The usage an OpenAI chat body reports, whatever else is wrong with it (null when unusable). */
export function reportedOpenAIUsage(body: unknown): NormalizedUsage | null {
  return typeof body === "object" && body !== null ? convertOpenAIUsage((body as { usage?: unknown }).usage) : null;
}
