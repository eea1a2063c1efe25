/**
 * An embeddings body as OpenAI reads it (https://platform.openai.com/docs/api-reference/embeddings/create):
 * `input` a non-empty string, an array of them, an array of non-negative integer token ids (one input)
 * or an array of such arrays (one input each), anything else its 400; `dimensions` an integer in
 * 1..3072 (text-embedding-3-large's size), else its 400 in OpenAI's range-check words naming it.
 * Token ids count one token each and embed as their numbers joined by a space; a text 1 per 4 characters.
 *
 * @example readEmbeddingRequest({ input: [[1, 2]], dimensions: 4 }) // { inputs: ["1 2"], tokens: 2, dimensions: 4 }
 */
import { integerRefusal, type Refusal } from "./openai-wire.ts";

export const MAX_DIMENSIONS = 3072;
const DEFAULT_DIMENSIONS = 8;

export interface EmbeddingRequest {
  /** The text each vector is made from. */
  inputs: string[];
  tokens: number;
  dimensions: number;
}

const INVALID_INPUT: Refusal = { message: "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", param: null, code: null };
const isTokenIds = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((t) => Number.isSafeInteger(t) && t >= 0);

function inputsOf(input: unknown): { inputs: string[]; tokens: number } | null {
  if (typeof input === "string") return input === "" ? null : { inputs: [input], tokens: Math.ceil(input.length / 4) };
  if (!Array.isArray(input) || input.length === 0) return null;
  if (input.every((i) => typeof i === "string")) {
    return input.includes("") ? null : { inputs: input, tokens: input.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0) };
  }
  const lists = isTokenIds(input) ? [input] : input.every(isTokenIds) ? (input as number[][]) : null;
  return lists && { inputs: lists.map((ids) => ids.join(" ")), tokens: lists.reduce((sum, ids) => sum + ids.length, 0) };
}

function dimensionsOf(value: unknown): number | Refusal {
  if (value == null) return DEFAULT_DIMENSIONS;
  return integerRefusal("dimensions", value, 1, MAX_DIMENSIONS) ?? (value as number);
}

export function readEmbeddingRequest(body: Record<string, unknown>): EmbeddingRequest | Refusal {
  const read = inputsOf(body.input);
  if (!read) return INVALID_INPUT;
  const dimensions = dimensionsOf(body.dimensions);
  return typeof dimensions === "number" ? { ...read, dimensions } : dimensions;
}
