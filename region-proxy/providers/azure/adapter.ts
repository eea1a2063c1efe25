/**
 * The Azure OpenAI adapter: OpenAI's translators with Azure's URL, `api-key` header, content-filter
 * annotations and error codes. Pure translation; the executor does the I/O.
 */
import { azureEmbeddings } from "./embeddings.ts";
import type { ProviderAdapter } from "../types.ts";
import { reportedOpenAIUsage } from "../openai/adapter.ts";
import { classifyAzureError } from "./errors.ts";
import { buildAzureRequest } from "./request.ts";
import { parseAzureResponse } from "./response.ts";
import { createAzureStreamTranslator } from "./stream.ts";

export const azureAdapter: ProviderAdapter = {
  kind: "azure",
  buildRequest: buildAzureRequest,
  parseResponse: parseAzureResponse,
  createStreamTranslator: createAzureStreamTranslator,
  classifyError: (status, headers, body) => classifyAzureError(status, headers, body),
  // Azure's chat body is OpenAI's (its content-filter annotations aside): the same usage object.
  reportedUsage: reportedOpenAIUsage,
  embeddings: azureEmbeddings,
};
