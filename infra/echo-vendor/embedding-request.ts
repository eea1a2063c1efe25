/**
 * An embeddings body as OpenAI reads it (https://platform.openai.com/docs/api-reference/embeddings/create),
 * with the readers the test fakes use (openai-request-readers.ts): `input` a non-empty string,
 * an array of them, an array of non-negative integer token ids (one input) or an array of such arrays
 * (one input each), at most 2048 inputs, 8192 tokens each and 300,000 in all, else OpenAI's 400;
 * `dimensions` an integer in 1..3072 (text-embedding-3-large's size), else its 400 in OpenAI's
 * range-check words naming it. Token ids count one token each and embed as their numbers joined by a
 * space; a text 1 per 4 characters.
 *
 * @example readEmbeddingRequest({ input: [[1, 2]], dimensions: 4 }) // { inputs: ["1 2"], tokens: 2, dimensions: 4 }
 */
import { INVALID_INPUT, readDimensions, readEmbeddingInputs, Refusal } from "./openai-request-readers.ts";

const MAX_DIMENSIONS = 3072;
const DEFAULT_DIMENSIONS = 8;

export interface EmbeddingRequest {
  /** The text each vector is made from. */
  inputs: string[];
  tokens: number;
  dimensions: number;
}

export function readEmbeddingRequest(body: Record<string, unknown>): EmbeddingRequest | Refusal {
  const read = readEmbeddingInputs(body.input, INVALID_INPUT);
  if (read instanceof Refusal) return read;
  const dimensions = readDimensions(body.dimensions, MAX_DIMENSIONS, DEFAULT_DIMENSIONS);
  if (dimensions instanceof Refusal) return dimensions;
  return { inputs: read.inputs.map((input) => (typeof input === "string" ? input : input.join(" "))), tokens: read.tokens, dimensions };
}
