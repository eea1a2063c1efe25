/**
 * Reads a request body as JSON with a byte limit: Content-Length is checked first, and bytes are
 * counted while reading, because a chunked body has no Content-Length to trust.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import { MAX_JSON_DEPTH, tooDeepField } from "./nesting-depth.ts";
import { readBounded } from "../../shared/http/read-bounded.ts";

export type BodyResult = { ok: true; value: unknown } | { ok: false; error: GatewayError };

const decoder = new TextDecoder();
const CUT_OFF: BodyResult = { ok: false, error: { kind: "invalid_json", message: "The request body could not be read completely." } };

export async function readJsonBody(request: Request, maxBytes: number): Promise<BodyResult> {
  const tooLarge: BodyResult = { ok: false, error: { kind: "request_too_large", limitBytes: maxBytes } };
  const length = request.headers.get("content-length");
  const declared = length === null ? NaN : Number(length);
  if (declared > maxBytes) return tooLarge;
  let text: string;
  if (Number.isSafeInteger(declared) && declared >= 0) {
    // A declared length bounds the body (the HTTP parser reads no more than that), so it can be read
    // and decoded in one native call instead of chunk by chunk through a JS stream reader (the hot path).
    try {
      text = await request.text();
    } catch {
      // The client went away mid-body: nobody will read the answer, but it must not be a 500.
      return CUT_OFF;
    }
    // Never more characters than bytes: a longer text can only mean more bytes than were declared.
    if (text.length > maxBytes) return tooLarge;
  } else {
    // A body without a declared length (chunked): counted as it is read.
    const read = await readBounded(request.body, maxBytes);
    if (read === "too_large") return tooLarge;
    if (read === "cut_off") return CUT_OFF;
    text = decoder.decode(read);
  }
  if (text.trim() === "") return { ok: false, error: { kind: "invalid_json", message: "The request body is empty; send a JSON object." } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: { kind: "invalid_json", message: "The request body is not valid JSON." } };
  }
  const tooDeep = tooDeepField(value);
  if (tooDeep !== null) return { ok: false, error: { kind: "invalid_value", param: tooDeep, message: `Invalid '${tooDeep}': nested deeper than ${MAX_JSON_DEPTH} levels.` } };
  return { ok: true, value };
}
