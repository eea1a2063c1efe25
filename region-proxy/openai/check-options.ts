/**
 * Checks the shapes of a chat request's `logit_bias`, `modalities` and `metadata`
 * (https://platform.openai.com/docs/api-reference/chat/create) and names the offending field: OpenAI
 * refuses another shape, and the translating adapters pass each at its no-op value
 * (refuse-without-equivalent.ts reads logit_bias by its keys and modalities only as an array;
 * anthropic/ and gemini/refuse-unsupported.ts read metadata by its keys), so a mistyped one
 * (logit_bias 5, modalities "audio", metadata []) would be answered as if never sent. null is no
 * value. Whether a vendor takes them is its adapter's business.
 *
 * @example checkOptions({ logit_bias: { hello: 5 } }) // { param: "logit_bias", message: "..." }
 */
import type { FieldProblem } from "./check-message.ts";
import { isRecord } from "../../shared/is-record.ts";
import { given } from "./given.ts";

/** A token id as logit_bias keys it ("Invalid key in 'logit_bias': ... You should only be submitting non-negative integers."). */
const TOKEN_ID = /^\d+$/;
const MODALITIES = new Set(["text", "audio"]);
/** OpenAI's Metadata: "Set of 16 key-value pairs ... Keys are strings with a maximum length of 64 characters. Values are strings with a maximum length of 512 characters." */
const METADATA_PAIRS = 16;
const METADATA_KEY_CHARS = 64;
const METADATA_VALUE_CHARS = 512;

/** At most `max` characters (code points), counted only when the UTF-16 length exceeds it. */
const withinChars = (s: string, max: number) => s.length <= max || [...s].length <= max;

function logitBiasOk(bias: unknown): boolean {
  if (!isRecord(bias)) return false;
  for (const key in bias) {
    const value = bias[key];
    if (!TOKEN_ID.test(key) || typeof value !== "number" || !(value >= -100 && value <= 100)) return false;
  }
  return true;
}

function metadataOk(metadata: unknown): boolean {
  if (!isRecord(metadata)) return false;
  const keys = Object.keys(metadata);
  if (keys.length > METADATA_PAIRS) return false;
  return keys.every((key) => {
    const value = metadata[key];
    return withinChars(key, METADATA_KEY_CHARS) && typeof value === "string" && withinChars(value, METADATA_VALUE_CHARS);
  });
}

export function checkOptions(body: Record<string, unknown>): FieldProblem | null {
  if (given(body.logit_bias) && !logitBiasOk(body.logit_bias)) {
    return { param: "logit_bias", message: "Invalid 'logit_bias': expected an object mapping token ids (non-negative integers) to numbers between -100 and 100." };
  }
  const modalities = body.modalities;
  if (given(modalities) && !(Array.isArray(modalities) && modalities.every((m) => MODALITIES.has(m)))) {
    return { param: "modalities", message: "Invalid 'modalities': expected an array of 'text' and 'audio'." };
  }
  if (given(body.metadata) && !metadataOk(body.metadata)) {
    return {
      param: "metadata",
      message: `Invalid 'metadata': expected an object of up to ${METADATA_PAIRS} string values, keys of at most ${METADATA_KEY_CHARS} characters and values of at most ${METADATA_VALUE_CHARS}.`,
    };
  }
  return null;
}
