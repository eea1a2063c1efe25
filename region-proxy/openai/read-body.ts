/**
 * Reads a request body as JSON with a byte limit: Content-Length is checked first, and bytes are
 * counted while reading, because a chunked body has no Content-Length to trust. The body must be
 * plain (no Content-Encoding but identity: 415) UTF-8 (else 400): a compressed body is not "invalid
 * JSON", and bad bytes must not reach the vendor (and the bill) as U+FFFD.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import { MAX_JSON_DEPTH, tooDeepField } from "./nesting-depth.ts";
import { unsupportedContentCoding } from "../../shared/http/content-coding.ts";
import { DEFAULT_BODY_READ_TIMEOUT_MS, readBodyBytesWithin } from "../../shared/http/read-body-text.ts";

export type BodyResult = { ok: true; value: unknown } | { ok: false; error: GatewayError };

/**
 * `fatal`: bytes that are not UTF-8 throw instead of becoming U+FFFD. A leading BOM is dropped (the
 * decoder's default, as `request.text()` did): RFC 8259 lets a parser ignore one, and JSON files
 * saved by PowerShell 5.1 or older editors start with it.
 */
const utf8 = new TextDecoder("utf-8", { fatal: true });
const CUT_OFF: BodyResult = { ok: false, error: { kind: "invalid_json", message: "The request body could not be read completely." } };
const NOT_UTF8: BodyResult = { ok: false, error: { kind: "invalid_encoding" } };
/** An encoded body (gzip, br, …) as a 415 naming the coding; null for none or identity. */
function unsupportedEncoding(request: Request): BodyResult | null {
  const coding = unsupportedContentCoding(request);
  return coding === null ? null : { ok: false, error: { kind: "unsupported_content_encoding", encoding: coding } };
}

/**
 * `timeoutMs` bounds the whole read (readBodyBytesWithin): past it the answer is a 408
 * `request_timeout`, and the connection closes (the body is left unread), so a client trickling its
 * body, or stalled mid-way, holds neither a socket nor a request slot for longer (a graceful stop was
 * bounded already, by SHUTDOWN_GRACE_MS).
 */
export async function readJsonBody(request: Request, maxBytes: number, timeoutMs = DEFAULT_BODY_READ_TIMEOUT_MS): Promise<BodyResult> {
  const encoded = unsupportedEncoding(request);
  if (encoded) return encoded;
  const read = await readBodyBytesWithin(request, maxBytes, timeoutMs);
  // Over the limit, cut off or late (readBodyBytesWithin marks those), the body was not read to its
  // end: the answer closes the connection (server.ts), as the client may still be sending it.
  if (read === "late") return { ok: false, error: { kind: "request_timeout", timeoutMs } };
  if (read === "too_large") return { ok: false, error: { kind: "request_too_large", limitBytes: maxBytes } };
  if (read === "cut_off") return CUT_OFF;
  return decodeJson(read);
}

function decodeJson(bytes: Uint8Array): BodyResult {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return NOT_UTF8;
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
