/**
 * Validates an OpenAI embeddings request (https://platform.openai.com/docs/api-reference/embeddings/create):
 * `input` is a non-empty string, an array of up to 2048 non-empty strings, an array of token ids, or
 * an array of token-id arrays; `encoding_format` float (default) or base64; `dimensions` a positive
 * integer. Everything else passes through in `raw`.
 *
 * @example parseEmbeddingsRequest({ model: "embed", input: "hello" }) // { ok: true, value }
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { EmbeddingsRequest } from "../providers/types.ts";
import { isRecord } from "../../shared/is-record.ts";
import { given } from "./given.ts";

const MAX_INPUTS = 2048;
const isTokenArray = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((t) => Number.isSafeInteger(t) && t >= 0);
const invalid = (param: string, message: string): { ok: false; error: GatewayError } => ({ ok: false, error: { kind: "invalid_value", param, message } });

function inputOk(input: unknown): boolean {
  if (typeof input === "string") return input !== "";
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_INPUTS) return false;
  if (input.every((i) => typeof i === "string")) return input.every((i) => i !== "");
  return isTokenArray(input) || input.every(isTokenArray);
}

export function parseEmbeddingsRequest(body: unknown): { ok: true; value: EmbeddingsRequest } | { ok: false; error: GatewayError } {
  if (!isRecord(body)) return { ok: false, error: { kind: "invalid_json", message: "The request body must be a JSON object." } };
  if (typeof body.model !== "string" || body.model === "") return invalid("model", "Invalid 'model': expected a non-empty string.");
  if (!inputOk(body.input)) {
    return invalid("input", `Invalid 'input': expected a non-empty string, an array of 1-${MAX_INPUTS} non-empty strings, or token-id arrays.`);
  }
  const format = body.encoding_format ?? "float";
  if (format !== "float" && format !== "base64") return invalid("encoding_format", "Invalid 'encoding_format': expected 'float' or 'base64'.");
  if (given(body.dimensions) && !(Number.isSafeInteger(body.dimensions) && (body.dimensions as number) > 0)) {
    return invalid("dimensions", "Invalid 'dimensions': expected a positive integer.");
  }
  // null is "not given", as chat reads it (and as a client passing an optional end-user id of None sends it).
  if (given(body.user) && typeof body.user !== "string") return invalid("user", "Invalid 'user': expected a string.");
  const value: EmbeddingsRequest = { model: body.model, input: body.input as EmbeddingsRequest["input"], encodingFormat: format, raw: body };
  if (typeof body.dimensions === "number") value.dimensions = body.dimensions;
  return { ok: true, value };
}

/**
 * Input tokens without a tokenizer: Gemini's reservation and charge, and any answer that reports none
 * (OpenAI and Azure reserve with their BPE: limits/estimate-embedding-tokens.ts), or the token count
 * itself. Per string: one per 4 ASCII characters and 5 per 4 other UTF-16 units. Four
 * characters a token holds for English only: chars/4 reserved a 10,500-character Chinese text at 2,625
 * tokens where cl100k (what text-embedding-3 bills with) counts 9,000. cl100k takes 0.5-1.2 tokens a
 * character of Chinese, Japanese, Korean, Indic, Thai, Greek, Hebrew, Cyrillic or Arabic text, so 5/4
 * covers them; scripts it splits into bytes (Georgian, Ethiopic, rare CJK) can still cost more, which
 * settling with the vendor's count catches. One pass over the text, no tokenizer: cheap for a whole
 * 1 MiB body.
 */
export function estimateEmbeddingTokens(input: EmbeddingsRequest["input"]): number {
  if (typeof input === "string") return textTokens(input);
  let n = 0;
  for (const item of input as unknown[]) n += typeof item === "string" ? textTokens(item) : Array.isArray(item) ? item.length : 1;
  return n;
}

function textTokens(text: string): number {
  let other = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) other++;
  return Math.max(1, Math.ceil((text.length - other) / 4) + Math.ceil((other * 5) / 4));
}
