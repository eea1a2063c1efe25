/**
 * A request body read as JSON (shared/http/read-json-body.ts: plain, bounded in bytes and time, UTF-8),
 * each refusal answered in OpenAI's error shape: a coded body is a 415 naming its coding (not
 * "invalid JSON"), bytes that are not UTF-8 a 400 (they must not reach the vendor, and the bill, as
 * U+FFFD). A body nested deeper than MAX_JSON_DEPTH is refused here too, naming the field.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { JsonBodyOutcome } from "../../shared/http/read-json-body.ts";
import { MAX_JSON_DEPTH, tooDeepField } from "./nesting-depth.ts";

export type BodyResult = { ok: true; value: unknown } | { ok: false; error: GatewayError };

const CUT_OFF: BodyResult = { ok: false, error: { kind: "invalid_json", message: "The request body could not be read completely." } };
const NOT_UTF8: BodyResult = { ok: false, error: { kind: "invalid_encoding" } };
const EMPTY: BodyResult = { ok: false, error: { kind: "invalid_json", message: "The request body is empty; send a JSON object." } };
const NOT_JSON: BodyResult = { ok: false, error: { kind: "invalid_json", message: "The request body is not valid JSON." } };

/**
 * The outcome of readPlainJsonBody(request, maxBytes, timeoutMs, ends) in OpenAI's terms, mapped right
 * after its await (pipeline/admit-request.ts): the hot path adds no async step of its own.
 * `timeoutMs` bounds the whole read (readBodyBytesWithin): past it the answer is a 408
 * `request_timeout`, and the connection closes (the body is left unread), so a client trickling its
 * body, or stalled mid-way, holds neither a socket nor a request slot for longer (a graceful stop was
 * bounded already, by SHUTDOWN_GRACE_MS).
 * `ends` (the graceful stop's InFlight.bodyReads) holds the read's end while it waits for the body:
 * InFlight.cut() calls it when the grace period is over, so the read ends at once, as late (the body
 * left unread), and admit-request.ts answers it 503 `shutting_down`. A Set add and delete per request,
 * not a listener and a promise of its own.
 * Over the limit, cut off or late, the body was not read to its end: the answer closes the connection (server.ts).
 */
export function openAiBody(read: JsonBodyOutcome, maxBytes: number, timeoutMs: number): BodyResult {
  switch (read) {
    case "late":
      return { ok: false, error: { kind: "request_timeout", timeoutMs } };
    case "too_large":
      return { ok: false, error: { kind: "request_too_large", limitBytes: maxBytes } };
    case "cut_off":
      return CUT_OFF;
    case "not_utf8":
      return NOT_UTF8;
    case "empty":
      return EMPTY;
    case "not_json":
      return NOT_JSON;
  }
  if (!read.ok) return { ok: false, error: { kind: "unsupported_content_encoding", encoding: read.coding } };
  const tooDeep = tooDeepField(read.value);
  if (tooDeep !== null) return { ok: false, error: { kind: "invalid_value", param: tooDeep, message: `Invalid '${tooDeep}': nested deeper than ${MAX_JSON_DEPTH} levels.` } };
  return read;
}
