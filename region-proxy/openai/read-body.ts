/**
 * Reads a request body as JSON (shared/http/read-json-body.ts: plain, bounded in bytes and time, UTF-8)
 * and answers each refusal in OpenAI's error shape: a coded body is a 415 naming its coding (not
 * "invalid JSON"), bytes that are not UTF-8 a 400 (they must not reach the vendor, and the bill, as
 * U+FFFD). A body nested deeper than MAX_JSON_DEPTH is refused here too, naming the field.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import { leftBodyUnread } from "../../shared/http/body-left-unread.ts";
import { DEFAULT_BODY_READ_TIMEOUT_MS } from "../../shared/http/read-body-bytes.ts";
import { readPlainJsonBody, type JsonBodyOutcome } from "../../shared/http/read-json-body.ts";
import { MAX_JSON_DEPTH, tooDeepField } from "./nesting-depth.ts";

export type BodyResult = { ok: true; value: unknown } | { ok: false; error: GatewayError };

const CUT_OFF: BodyResult = { ok: false, error: { kind: "invalid_json", message: "The request body could not be read completely." } };
const NOT_UTF8: BodyResult = { ok: false, error: { kind: "invalid_encoding" } };
const EMPTY: BodyResult = { ok: false, error: { kind: "invalid_json", message: "The request body is empty; send a JSON object." } };
const NOT_JSON: BodyResult = { ok: false, error: { kind: "invalid_json", message: "The request body is not valid JSON." } };
const SHUTTING_DOWN: BodyResult = { ok: false, error: { kind: "shutting_down" } };

/**
 * `timeoutMs` bounds the whole read (readBodyBytesWithin): past it the answer is a 408
 * `request_timeout`, and the connection closes (the body is left unread), so a client trickling its
 * body, or stalled mid-way, holds neither a socket nor a request slot for longer (a graceful stop was
 * bounded already, by SHUTDOWN_GRACE_MS).
 * `cut` (the graceful stop's InFlight.cutSignal) ends a read still waiting for the body when the grace
 * period is over: the answer is a 503 `shutting_down` (its connection closed, the body left unread), so
 * the client, which may retry elsewhere, gets an answer instead of a connection closed under it.
 */
export function readJsonBody(request: Request, maxBytes: number, timeoutMs = DEFAULT_BODY_READ_TIMEOUT_MS, cut?: AbortSignal): Promise<BodyResult> {
  const read = readPlainJsonBody(request, maxBytes, timeoutMs, openAiBody);
  return cut ? untilCut(request, read, cut) : read;
}

/** `read`, unless `cut` aborts first: then SHUTTING_DOWN, the body marked unread (the answer closes its connection). */
function untilCut(request: Request, read: Promise<BodyResult>, cut: AbortSignal): Promise<BodyResult> {
  if (cut.aborted) {
    leftBodyUnread(request);
    return Promise.resolve(SHUTTING_DOWN);
  }
  return new Promise((resolve, reject) => {
    const onCut = () => {
      leftBodyUnread(request);
      resolve(SHUTTING_DOWN);
    };
    cut.addEventListener("abort", onCut, { once: true });
    read.then(resolve, reject).finally(() => cut.removeEventListener("abort", onCut));
  });
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
