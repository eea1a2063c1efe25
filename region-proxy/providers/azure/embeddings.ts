/**
 * Azure OpenAI embeddings: OpenAI's body and answer, at
 * `{baseUrl}/openai/deployments/{deployment}/embeddings?api-version=...`, or `{baseUrl}/embeddings`
 * for a v1 baseUrl (`.../openai/v1`, see request.ts), with an `api-key` header
 * (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference#embeddings).
 */
import { openaiEmbeddingsBody, parseOpenAIEmbeddings, reportedOpenAIEmbeddingsUsage } from "../openai/embeddings.ts";
import type { EmbeddingsTranslator } from "../types.ts";
import { azureOperationUrl } from "./request.ts";

export const azureEmbeddings: EmbeddingsTranslator = {
  buildRequest(req, target, credential) {
    // Same deployment URL as chat, with the embeddings operation; nothing from the client reaches it.
    const url = azureOperationUrl(target.baseUrl, target.model, "embeddings");
    return { url, method: "POST", headers: { "api-key": credential, "content-type": "application/json", accept: "application/json" }, body: openaiEmbeddingsBody(req, target) };
  },
  parseResponse: parseOpenAIEmbeddings,
  reportedUsage: reportedOpenAIEmbeddingsUsage,
};
