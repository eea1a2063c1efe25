/**
 * Reads a request body as JSON (shared/http/read-json-body.ts: plain, bounded in bytes and time, UTF-8)
 * and answers each refusal in OpenAI's error shape: a coded body is a 415 naming its coding (not
 * "invalid JSON"), bytes that are not UTF-8 a 400 (they must not reach the vendor, and the bill, as
 * U+FFFD). A body nested deeper than MAX_JSON_DEPTH is refused here too, naming the field.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import { DEFAULT_BODY_READ_TIMEOUT_MS } from "../../shared/http/read-body-bytes.ts";
import { readPlainJsonBody, type JsonBodyOutcome } from "../../shared/http/read-json-body.ts";
import { MAX_JSON_DEPTH, tooDeepField } from "./nesting-depth.ts";

export type BodyResult = { ok: true; value: unknown } | { ok: false; error: GatewayError };

const CUT_OFF: BodyResult = { ok: false, error: { kind: "invalid_json", message: "The request body could not be read completely." } };
const NOT_UTF8: BodyResult = { ok: false, error: { kind: "invalid_encoding" } };
const EMPTY: BodyResult = { ok: false, error: { kind: "invalid_json", message: "The request body is empty; send a JSON object." } };
const NOT_JSON: BodyResult = { ok: false, error: { kind: "invalid_json", message: "The request body is not valid JSON." } };

/**
 * `timeoutMs` bounds the whole read (readBodyBytesWithin): past it the answer is a 408
 * `request_timeout`, and the connection closes (the body is left unread), so a client trickling its
 * body, or stalled mid-way, holds neither a socket nor a request slot for longer (a graceful stop was
 * bounded already, by SHUTDOWN_GRACE_MS).
 * `ends` (the graceful stop's InFlight.bodyReads) holds the read's end while it waits for the body:
 * InFlight.cut() calls it when the grace period is over, so the read ends at once, as late (the body
 * left unread), and admit-request.ts answers it 503 `shutting_down`. A Set add and delete per request,
 * not a listener and a promise of its own: the hot path adds no async step (read-json-body.ts).
 */
export function readJsonBody(request: Request, maxBytes: number, timeoutMs = DEFAULT_BODY_READ_TIMEOUT_MS, ends?: Set<() => void>): Promise<BodyResult> {
  return readPlainJsonBody(request, maxBytes, timeoutMs, openAiBody, ends);
}

/** Over the limit, cut off or late, the body was not read to its end: the answer closes the connection (server.ts). */
function openAiBody(read: JsonBodyOutcome, maxBytes: number, timeoutMs: number): BodyResult {
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
