/**
 * OpenAI embeddings: the client body passes through (unknown fields included) with the deployment's
 * model to `{baseUrl}/embeddings`; the answer passes back with its usage normalized.
 * https://platform.openai.com/docs/api-reference/embeddings
 */
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { embeddingInputTokens } from "../usage-counts.ts";
import { VendorProtocolError, type EmbeddingsRequest, type EmbeddingsResponse, type EmbeddingsTranslator, type VendorHttpRequest } from "../types.ts";

export function openaiEmbeddingsBody(req: EmbeddingsRequest, target: SnapshotDeployment): string {
  return JSON.stringify({ ...req.raw, model: target.model, encoding_format: req.encodingFormat });
}

/** Checks the shape we rely on; the usage is input tokens only, estimated when the vendor's is unusable. */
export function parseOpenAIEmbeddings(body: unknown, req: EmbeddingsRequest, ctx: { model: string }): ReturnType<EmbeddingsTranslator["parseResponse"]> {
  const b = body as Partial<EmbeddingsResponse> | null;
  if (typeof b !== "object" || b === null || !Array.isArray(b.data)) throw new VendorProtocolError("embeddings response has no data array");
  const prompt = embeddingInputTokens(b.usage?.prompt_tokens, req.input);
  const response: EmbeddingsResponse = { object: "list", data: b.data, model: typeof b.model === "string" ? b.model : ctx.model, usage: { prompt_tokens: prompt, total_tokens: prompt } };
  return { response, usage: { inputTokens: prompt, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } };
}

export const openaiEmbeddings: EmbeddingsTranslator = {
  buildRequest(req, target, credential): VendorHttpRequest {
    return {
      url: `${target.baseUrl.replace(/\/+$/, "")}/embeddings`,
      method: "POST",
      headers: { authorization: `Bearer ${credential}`, "content-type": "application/json", accept: "application/json" },
      body: openaiEmbeddingsBody(req, target),
    };
  },
  parseResponse: parseOpenAIEmbeddings,
};
