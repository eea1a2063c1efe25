/**
 * OpenAI embeddings: the client body passes through (unknown fields included) with the deployment's
 * model to `{baseUrl}/embeddings`; the answer passes back checked against the request, with its usage
 * normalized.
 * https://platform.openai.com/docs/api-reference/embeddings
 */
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { float32Count, floatsToBase64, isFloat32Base64 } from "../embedding-base64.ts";
import { checkVectorLengths, finiteVector } from "../embedding-vectors.ts";
import { ZERO_USAGE, type NormalizedUsage } from "../../../shared/money/cost.ts";
import { embeddingInputTokens, reportedCount } from "../usage-counts.ts";
import { withoutRelayRouting } from "../relay-routing.ts";
import { VendorProtocolError, type EmbeddingsRequest, type EmbeddingsResponse, type EmbeddingsResponseContext, type EmbeddingsTranslator, type VendorHttpRequest } from "../types.ts";
import { isRecord } from "../../../shared/is-record.ts";

/**
 * The client's body with the deployment's model and the encoding asked. `dimensions` and `user` sent
 * as null are "not given" (parse-embeddings-request.ts) and are left out, not sent as null: OpenAI
 * refuses ada-002 `dimensions: null` as a dimensions it cannot honour, and OpenAI-compatible servers
 * refuse a null where they take a number or a string. A relay's field choosing another model or
 * endpoint is refused, and left out when null (../relay-routing.ts).
 */
export function openaiEmbeddingsBody(req: EmbeddingsRequest, target: SnapshotDeployment): string {
  const { dimensions, user, ...rest } = withoutRelayRouting(req.raw);
  return JSON.stringify({ ...rest, ...(dimensions === null ? {} : { dimensions }), ...(user === null ? {} : { user }), model: target.model, encoding_format: req.encodingFormat });
}

/**
 * One input per string or token array: `input` is a string, strings, one token array (numbers) or
 * token arrays, as parse-embeddings-request.ts let it through.
 */
function inputCount(input: EmbeddingsRequest["input"]): number {
  return typeof input === "string" || typeof input[0] === "number" ? 1 : input.length;
}


/**
 * The vector of item `at` as the client asked it. Floats when base64 was asked (a compatible server
 * that ignores `encoding_format`) are encoded here; base64 when floats were asked is refused: the
 * client would get a string where it reads numbers.
 */
function checkedVector(embedding: unknown, format: EmbeddingsRequest["encodingFormat"], at: number): { vector: number[] | string; length: number } {
  if (Array.isArray(embedding)) {
    const values = finiteVector(embedding, at);
    return { vector: format === "base64" ? floatsToBase64(values) : values, length: values.length };
  }
  if (typeof embedding === "string" && format === "base64" && isFloat32Base64(embedding)) return { vector: embedding, length: float32Count(embedding) };
  throw new VendorProtocolError(`embedding ${at} is not a ${format} vector`);
}

/**
 * Checks the answer against the request: one item per input, each with its own integer index (its
 * position when it has none), and a vector in the encoding asked, all of one length (`dimensions` when
 * asked: embedding-vectors.ts). A shorter list would read as fewer
 * results (silent loss), a
 * malformed item crashes the SDK: both are the vendor breaking its protocol (VendorProtocolError,
 * 502). Items are answered in index order, as OpenAI does. The usage is input tokens only; when the
 * vendor's is unusable, the cl100k count the request was reserved with (ctx.promptEstimate), so an
 * answer without usage costs what a refused or unanswered call of it does.
 */
export function parseOpenAIEmbeddings(body: unknown, req: EmbeddingsRequest, ctx: EmbeddingsResponseContext): ReturnType<EmbeddingsTranslator["parseResponse"]> {
  const b = body as Partial<EmbeddingsResponse> | null;
  if (typeof b !== "object" || b === null || !Array.isArray(b.data)) throw new VendorProtocolError("embeddings response has no data array");
  const count = inputCount(req.input);
  if (b.data.length !== count) throw new VendorProtocolError(`embeddings response has ${b.data.length} items for ${count} inputs`);
  const data = new Array<EmbeddingsResponse["data"][number]>(count);
  const lengths = new Array<number>(count);
  b.data.forEach((item: unknown, at) => {
    if (!isRecord(item)) throw new VendorProtocolError(`embedding ${at} is not an object`);
    // No index is the item's position: Gemini's OpenAI-compatible endpoint leaves out an index of 0
    // (proto3 JSON drops zeros). An index given must still be an integer in range, each once.
    const index = item.index === undefined || item.index === null ? at : item.index;
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= count) throw new VendorProtocolError(`embedding ${at} has no index in 0..${count - 1}`);
    if (data[index as number] !== undefined) throw new VendorProtocolError(`embedding index ${index} is given twice`);
    const { vector, length } = checkedVector(item.embedding, req.encodingFormat, at);
    lengths[at] = length;
    data[index as number] = { object: "embedding", index: index as number, embedding: vector };
  });
  checkVectorLengths(lengths, req.dimensions);
  const prompt = embeddingInputTokens(b.usage?.prompt_tokens, req.input, ctx.promptEstimate);
  const response: EmbeddingsResponse = { object: "list", data, model: typeof b.model === "string" ? b.model : ctx.model, usage: { prompt_tokens: prompt, total_tokens: prompt } };
  return { response, usage: { inputTokens: prompt, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } };
}

/** The prompt_tokens an embeddings body reports, whatever else is wrong with it (null when unusable). */
export function reportedOpenAIEmbeddingsUsage(body: unknown): NormalizedUsage | null {
  const tokens = reportedCount((body as { usage?: { prompt_tokens?: unknown } } | null)?.usage?.prompt_tokens);
  return tokens === null ? null : { ...ZERO_USAGE, inputTokens: tokens };
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
  reportedUsage: reportedOpenAIEmbeddingsUsage,
};
