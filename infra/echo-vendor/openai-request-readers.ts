/**
 * Readers of OpenAI request fields that the echo vendor (infra/echo-vendor, `npm start`'s provider)
 * and the test fakes (test/fakes/openai.ts, azure.ts, openai-chat-request.ts) share, so both refuse
 * a value in OpenAI's words and hold embeddings to OpenAI's limits alike: a value's type as OpenAI
 * names it, an integer parameter in range, embeddings `input` in its four documented shapes and
 * limits, and `dimensions` in range.
 *
 * @example readEmbeddingInputs([[1, 2]], INVALID_INPUT) // { inputs: [[1, 2]], tokens: 2 }
 */

/** A 400 in OpenAI's words (Azure answers the same for OpenAI's parameters); each server renders it as its error JSON. */
export class Refusal {
  constructor(
    readonly message: string,
    readonly param: string | null,
    readonly code: string | null,
    /** The error's `type`: invalid_request_error but for the few OpenAI types otherwise (max_tokens_per_request). */
    readonly type = "invalid_request_error",
  ) {}
}

/** How OpenAI's validation names a JSON value's type: "Invalid type for 'x': expected …, but got a string instead." */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a decimal";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/**
 * One embeddings input: a text, or the token ids of one text (as OpenAI's tokenizer would give them;
 * they are not decoded, their count is the input's tokens).
 */
export type EmbeddingInput = string | number[];

/** Most inputs one request takes, in OpenAI's and Azure's reference ("any array must be 2048 dimensions or less"). */
export const MAX_EMBEDDING_INPUTS = 2048;
/** Most tokens one input may have ("8192 tokens for all embedding models"). */
const MAX_INPUT_TOKENS = 8192;
/** Most tokens all inputs of one request may have together ("a maximum of 300,000 tokens summed across all inputs"). */
const MAX_REQUEST_TOKENS = 300_000;

/** A text's tokens, as the echo vendor and the fakes count them: 1 per 4 characters, at least 1. */
export const textTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/**
 * OpenAI's answer to an `input` its schema does not take, param and code null
 * (https://github.com/embeddings-benchmark/mteb/issues/1200, openai/openai-python#118 for more than
 * 2048 inputs); Azure answers the same words (Azure/azure-sdk-for-js#28253).
 */
export const INVALID_INPUT = new Refusal("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", null, null);

const isTokenIds = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((t) => Number.isSafeInteger(t) && t >= 0);

/** The inputs of `input` in one of the four documented shapes, or null for anything else. */
function inputsOf(input: unknown): EmbeddingInput[] | null {
  if (typeof input === "string") return input === "" ? null : [input];
  if (!Array.isArray(input) || input.length === 0) return null;
  if (input.every((i) => typeof i === "string")) return input.includes("") ? null : (input as string[]);
  // A flat array of ids is ONE input; an array of id arrays is one input each.
  if (isTokenIds(input)) return [input];
  return input.every(isTokenIds) ? (input as number[][]) : null;
}

/**
 * Reads embeddings `input` as OpenAI documents it (https://platform.openai.com/docs/api-reference/embeddings/create;
 * Azure's v1 reference the same): a non-empty string, an array of them, an array of non-negative
 * integer token ids (one input) or an array of such arrays (one input each). Anything else (a mixed
 * array, a decimal or negative id, an empty string, array or id array) is INVALID_INPUT; more than
 * 2048 inputs is `tooMany` (each vendor words it its own way); an input over 8192 tokens, or more than
 * 300,000 tokens in all, OpenAI's 400s for them. The tokens are the ids given, or textTokens of a text.
 */
export function readEmbeddingInputs(input: unknown, tooMany: Refusal): { inputs: EmbeddingInput[]; tokens: number } | Refusal {
  const inputs = inputsOf(input);
  if (inputs === null) return INVALID_INPUT;
  if (inputs.length > MAX_EMBEDDING_INPUTS) return tooMany;
  let tokens = 0;
  for (const one of inputs) {
    const n = typeof one === "string" ? textTokens(one) : one.length;
    // https://github.com/neo4j-labs/agent-memory/issues/104 quotes this answer off the wire.
    if (n > MAX_INPUT_TOKENS) return new Refusal(`Invalid 'input': maximum context length is ${MAX_INPUT_TOKENS} tokens.`, null, null);
    tokens += n;
  }
  // The answer gpt-researcher and spiceai quote (assafelovic/gpt-researcher#1524, spiceai/spiceai#6142).
  if (tokens > MAX_REQUEST_TOKENS) return new Refusal(`Requested ${tokens} tokens, max ${MAX_REQUEST_TOKENS} tokens per request`, null, "max_tokens_per_request", "max_tokens_per_request");
  return { inputs, tokens };
}

/**
 * `dimensions` up to `max` (null: the model takes none, "Only supported in text-embedding-3 and later
 * models"); null and absent are "not given" (the model's default, `fallback` here), except that a model
 * taking none refuses the field even as null, as OpenAI answers ada-002 for `dimensions=None`
 * (https://github.com/sbintuitions/JMTEB/pull/14). Outside 1..max, or not an integer, OpenAI's 400
 * naming dimensions in its range-check words.
 */
export function readDimensions(value: unknown, max: number | null, fallback: number): number | Refusal {
  if (value === null && max === null) return new Refusal("This model does not support specifying dimensions.", "dimensions", null);
  if (value === undefined || value === null) return fallback;
  const wrong = integerRefusal("dimensions", value, 1, max ?? Infinity);
  if (wrong?.code === "invalid_type") return wrong;
  if (max === null) return new Refusal("This model does not support specifying dimensions.", "dimensions", null);
  return wrong ?? (value as number);
}

/** OpenAI's check of an integer parameter in min..max ("Invalid 'n': integer above maximum value. …"), null when it is one. */
export function integerRefusal(param: string, value: unknown, min: number, max: number): Refusal | null {
  if (typeof value !== "number" || !Number.isInteger(value)) return new Refusal(`Invalid type for '${param}': expected an integer, but got ${typeName(value)} instead.`, param, "invalid_type");
  if (value < min) return new Refusal(`Invalid '${param}': integer below minimum value. Expected a value >= ${min}, but got ${value} instead.`, param, "integer_below_min_value");
  if (value > max) return new Refusal(`Invalid '${param}': integer above maximum value. Expected a value <= ${max}, but got ${value} instead.`, param, "integer_above_max_value");
  return null;
}
