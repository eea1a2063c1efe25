/**
 * What the OpenAI and Azure OpenAI fakes share besides reading a chat request
 * (openai-chat-request.ts): Azure serves OpenAI's wire formats, so both refuse a parameter in OpenAI's
 * words, read embeddings input and build an embeddings list the same way; they differ in paths, keys,
 * error JSON around the words, ids and Azure's content-filter annotations. The request readers
 * (Refusal, embeddings input and dimensions) are shared with the echo vendor
 * (infra/echo-vendor/openai-request-readers.ts).
 */
import { readDimensions as readDimensionsUpTo, type EmbeddingInput, type Refusal } from "../../infra/echo-vendor/openai-request-readers.ts";

export { INVALID_INPUT, MAX_EMBEDDING_INPUTS, Refusal, readEmbeddingInputs, type EmbeddingInput } from "../../infra/echo-vendor/openai-request-readers.ts";

/** A deterministic vector from the text, so equal inputs embed equally and different ones mostly not. */
function vector(text: string, dimensions: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < dimensions; i++) out.push(Math.sin(text.length + i * 0.7 + (text.charCodeAt(i % Math.max(1, text.length)) || 0)) / Math.sqrt(dimensions));
  return out;
}

/** The `data` of an embeddings list: floats, or base64 of little-endian float32 (`encoding_format: "base64"`). */
export function embeddingData(inputs: EmbeddingInput[], dimensions: number, base64: boolean): { object: "embedding"; index: number; embedding: number[] | string }[] {
  return inputs.map((input, index) => {
    // Token ids embed as the text of their numbers: equal ids equally, different ones (or order) not.
    const values = vector(typeof input === "string" ? input : input.join(" "), dimensions);
    return { object: "embedding", index, embedding: base64 ? Buffer.from(new Float32Array(values).buffer).toString("base64") : values };
  });
}

/**
 * The largest `dimensions` a model takes: text-embedding-3-large 3072, text-embedding-3-small 1536
 * (https://platform.openai.com/docs/guides/embeddings#how-to-get-embeddings); text-embedding-ada-002
 * takes none ("Only supported in text-embedding-3 and later models",
 * https://platform.openai.com/docs/api-reference/embeddings/create#embeddings-create-dimensions).
 * Any other name (the tests' own, like text-embedding-fake) is held to -small's 1536.
 */
export function maxDimensions(model: string): number | null {
  if (model.includes("ada-002")) return null;
  return model.includes("text-embedding-3-large") ? 3072 : 1536;
}

/** `dimensions` as the model allows it (maxDimensions); null and absent are "not given" (the model's default, `fallback` here). */
export function readDimensions(value: unknown, model: string, fallback: number): number | Refusal {
  return readDimensionsUpTo(value, maxDimensions(model), fallback);
}
