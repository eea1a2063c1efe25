/**
 * Gemini embeddings through `batchEmbedContents` (one call for one or many inputs):
 * `POST {baseUrl}/v1beta/models/{model}:batchEmbedContents` with
 * `{"requests":[{"model":"models/{model}","content":{"parts":[{"text":...}]},"outputDimensionality":N}]}`
 * (the deployment model as its resource name, model-resource.ts: `models/x` or `tunedModels/x`, never `models/models/x`),
 * answered `{"embeddings":[{"values":[...]}]}` (https://ai.google.dev/api/embeddings).
 *
 * Usage: `usageMetadata.promptTokenCount` when the answer carries it (newer API versions); the
 * classic answer has none, and then input tokens are approximated as one per 4 characters
 * (documented approximation).
 * Every vector is scaled to unit length (unit-length.ts): Gemini's are not once `dimensions` cuts them,
 * OpenAI's always are.
 * Token-array input cannot be sent (Gemini takes text), nor more than 100 inputs (Gemini's batch
 * limit): 400 naming `input`; nor an end-user id or a field this translation does not know: 400 naming
 * it. Base64 output (what the
 * official SDK asks for by default) is the little-endian float32 bytes, as OpenAI encodes it.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import { floatsToBase64 } from "../embedding-base64.ts";
import { checkVectorLengths, finiteVector } from "../embedding-vectors.ts";
import { refuseUnknownFields, TRANSLATED_EMBEDDINGS_FIELDS } from "../refuse-without-equivalent.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { embeddingInputTokens } from "../usage-counts.ts";
import { VendorProtocolError, type EmbeddingsRequest, type EmbeddingsResponse, type EmbeddingsTranslator } from "../types.ts";
import { geminiModelPath, geminiModelResource } from "./model-resource.ts";
import { refuseEndUserId } from "./refuse-unsupported.ts";
import { toUnitLength } from "./unit-length.ts";

/** Gemini's own limit on one `batchEmbedContents` call; past it Gemini answers 400. */
const MAX_BATCH_INPUTS = 100;

/**
 * The fields Gemini's embeddings cannot honour, as chat refuses them (gemini/refuse-unsupported.ts):
 * an end-user id (`user`, `safety_identifier`: no field to carry it) and any field it does not know
 * (Gemini's own `task_type`, a newer OpenAI field). The deployment is skipped for the next one of the
 * chain (walk-chain.ts); a 400 naming it when no deployment takes the request.
 */
function refuseUnsupportedEmbeddings(raw: Record<string, unknown>): void {
  refuseEndUserId(raw);
  refuseUnknownFields(raw, TRANSLATED_EMBEDDINGS_FIELDS);
}

function texts(req: EmbeddingsRequest): string[] {
  const input = req.input;
  if (typeof input === "string") return [input];
  if (!Array.isArray(input) || !input.every((i) => typeof i === "string")) {
    throw new UnsupportedParameterError("input", "This provider embeds text only; token arrays are not supported.");
  }
  // Refused before the call (the deployment is skipped for the next one of the chain): split larger batches.
  if (input.length > MAX_BATCH_INPUTS) throw new UnsupportedParameterError("input", `This provider embeds at most ${MAX_BATCH_INPUTS} inputs per request.`);
  return input as string[];
}

export const geminiEmbeddings: EmbeddingsTranslator = {
  buildRequest(req, target, credential) {
    refuseUnsupportedEmbeddings(req.raw);
    // Each request names the model of the URL: Google refuses a batch whose requests name another.
    const model = geminiModelResource(target.model);
    const requests = texts(req).map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(req.dimensions !== undefined ? { outputDimensionality: req.dimensions } : {}),
    }));
    return {
      url: `${target.baseUrl.replace(/\/+$/, "")}/v1beta/${geminiModelPath(target.model)}:batchEmbedContents`,
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": credential },
      body: JSON.stringify({ requests }),
    };
  },
  parseResponse(body, req, ctx) {
    const embeddings = (body as { embeddings?: unknown } | null)?.embeddings;
    if (!Array.isArray(embeddings)) throw new VendorProtocolError("batchEmbedContents response has no embeddings array");
    // One vector per input, in order: a shorter answer would pair the caller's inputs with the wrong vectors.
    if (embeddings.length !== texts(req).length) throw new VendorProtocolError(`batchEmbedContents answered ${embeddings.length} embeddings for ${texts(req).length} inputs`);
    // Each a non-empty list of finite numbers, all of one length (outputDimensionality when asked).
    const vectors = embeddings.map((e, index) => finiteVector((e as { values?: unknown } | null)?.values, index));
    checkVectorLengths(vectors.map((v) => v.length), req.dimensions);
    const data: EmbeddingsResponse["data"] = vectors.map((values, index) => {
      const unit = toUnitLength(values);
      return { object: "embedding", index, embedding: req.encodingFormat === "base64" ? floatsToBase64(unit) : unit };
    });
    const reported = (body as { usageMetadata?: { promptTokenCount?: unknown } }).usageMetadata?.promptTokenCount;
    const tokens = embeddingInputTokens(reported, req.input);
    const usage: NormalizedUsage = { inputTokens: tokens, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
    return { response: { object: "list", data, model: ctx.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }, usage };
  },
};
