/**
 * Every error the data plane can answer, rendered in OpenAI's shape so the official SDKs raise the
 * right exception and retry (or not) as they should. One union, one renderer.
 * See https://platform.openai.com/docs/guides/error-codes
 */
import { ACCEPT_NO_CODING } from "../http/content-coding.ts";
import type { Operation } from "../snapshot/provider-operations.ts";
import { shownSeconds } from "../time/shown-seconds.ts";

export type GatewayError =
  | { kind: "invalid_json"; message: string }
  | { kind: "invalid_value"; message: string; param: string }
  /** `operation`: the route whose body it is, so the advice fits what that body holds (set by admitRequest). */
  | { kind: "request_too_large"; limitBytes: number; operation?: Operation }
  /** A request body sent compressed (`Content-Encoding` other than identity): the gateway reads plain JSON only. */
  | { kind: "unsupported_content_encoding"; encoding: string }
  /** A request body whose bytes are not UTF-8 (RFC 8259 §8.1). */
  | { kind: "invalid_encoding" }
  /** A request body not received whole within `timeoutMs` (BODY_READ_TIMEOUT_MS): the client sent it too slowly, or stopped. */
  | { kind: "request_timeout"; timeoutMs: number }
  | { kind: "invalid_api_key" }
  | { kind: "model_not_found"; model: string }
  /** A path no route serves; the message says what is served instead (region-proxy/unrouted-path.ts). */
  | { kind: "not_found"; message: string }
  | { kind: "method_not_allowed"; method: string }
  | { kind: "residency_violation"; message: string }
  /**
   * A request under a budget whose every planned deployment has no price in the snapshot: it cannot be
   * charged, so it is not served (an operator must set the price; retrying will not help).
   */
  | { kind: "deployment_unpriced"; message: string }
  /** `retryAfterMs` (answered as waitHeaders): `null`, no wait would help (the request alone needs more than the limit), so SDKs must not retry. */
  | { kind: "rate_limited"; message: string; limitType: "requests" | "tokens"; retryAfterMs: number | null }
  /**
   * A spent (or fully leased out) budget: OpenAI's exhausted-quota answer, 429 with type and code
   * `insufficient_quota` (frameworks such as LangChain JS stop retrying on that code); the message says
   * which budget. The kind keeps the gateway's own name; clients see only the code.
   */
  | { kind: "budget_exceeded"; message: string }
  /**
   * A budget that is not spent cannot admit the request now (503, retryable, Retry-After): it could not
   * be checked (shared counters unreachable) and the tenant's budgets fail closed, its regional lease
   * could not grow in time, or its spend leaves room but requests in flight hold the rest. Not 429
   * `insufficient_quota` (kind budget_exceeded): that code and x-should-retry: false tell clients to
   * give up, which only a spent (or fully leased out) budget warrants.
   */
  | { kind: "budget_unavailable"; message: string; retryAfterSeconds: number }
  /** `innererror` is rendered for code `content_filter` only (ContentFilterInnerError). */
  | { kind: "vendor_rejected"; status: number; message: string; code: string | null; param: string | null; innererror?: ContentFilterInnerError }
  /** `retryable: false` (e.g. the vendor refused the gateway's credential) tells SDKs not to retry: `x-should-retry: false`. */
  /** `retryAfterMs`: the failing vendor said when to come back (a 503 with Retry-After), passed on as waitHeaders. */
  | { kind: "upstream_error"; message: string; retryable?: boolean; retryAfterMs?: number }
  /**
   * The vendor's own 429 after every retry and fallback, answered as OpenAI answers a rate limit: code
   * `rate_limit_exceeded`, type `requests` or `tokens` (`tokens` only when the vendor's own
   * OpenAI-format error said so). Its wait (when given) passed on in milliseconds, as waitHeaders.
   */
  | { kind: "upstream_rate_limited"; message: string; retryAfterMs: number | null; limitType: "requests" | "tokens" }
  | { kind: "upstream_timeout"; message: string }
  /** Every deployment was skipped (its circuit open): `retryAfterSeconds` until the first cool-down ends. */
  | { kind: "upstream_unavailable"; message: string; retryAfterSeconds: number }
  | { kind: "upstream_invalid_response"; message: string }
  | { kind: "not_ready"; retryAfterSeconds: number }
  | { kind: "shutting_down" }
  | { kind: "internal_error" };

/**
 * Why a content filter refused a prompt, as Azure OpenAI's `innererror` says it
 * (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/content-filter): which
 * categories were filtered and how severe they were, so an app can tell its user. An adapter fills it
 * with documented keys and values only, so nothing else a vendor wrote reaches the client.
 */
export interface ContentFilterInnerError {
  code?: "ResponsibleAIPolicyViolation";
  content_filter_result?: Record<string, { filtered?: boolean; detected?: boolean; severity?: "safe" | "low" | "medium" | "high" }>;
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null; innererror?: ContentFilterInnerError };
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: OpenAIErrorBody;
}

/**
 * A wait in milliseconds as OpenAI sends it: `retry-after-ms` exact (the OpenAI SDKs read it first, so
 * a 50 ms wait is waited 50 ms) and `retry-after` in whole seconds, rounded up and at least 1, for
 * every other client.
 */
const waitHeaders = (ms: number): Record<string, string> => ({ "retry-after-ms": String(ms), "retry-after": String(Math.max(1, Math.ceil(ms / 1000))) });

const body = (message: string, type: string, code: string | null, param: string | null = null): OpenAIErrorBody => ({
  error: { message, type, param, code },
});

/** `bytes` in MiB as an operator sets MAX_BODY_BYTES: "1 MiB", "1.5 MiB (1572864 bytes)", "64 bytes". */
function mebibytes(bytes: number): string {
  const mib = bytes / 1_048_576;
  if (Number.isInteger(mib)) return `${mib} MiB`;
  const rounded = Number(mib.toFixed(2));
  return rounded === 0 ? `${bytes} bytes` : `${rounded} MiB (${bytes} bytes)`;
}

/**
 * The 413's words: whose limit it is and what the caller can do, for what the route's body holds. A
 * chat body: inline images count (a single phone photo as a data: URL is over the default 1 MiB,
 * though every vendor takes it). An embeddings body has no images: fewer or smaller inputs.
 */
const TOO_LARGE_ADVICE: Readonly<Record<Operation, string>> = {
  chat: "; inline `data:` images and files count towards it. Send images by https URL or smaller, or ask the gateway operator to raise MAX_BODY_BYTES.",
  embeddings: ". Send fewer or smaller inputs per request, or ask the gateway operator to raise MAX_BODY_BYTES.",
};
const tooLargeMessage = (limitBytes: number, operation: Operation | undefined): string =>
  `Request body exceeds the gateway's ${mebibytes(limitBytes)} limit` +
  (operation === undefined ? ". Send a smaller request, or ask the gateway operator to raise MAX_BODY_BYTES." : TOO_LARGE_ADVICE[operation]);

export function renderError(error: GatewayError): RenderedError {
  switch (error.kind) {
    case "invalid_json":
      return { status: 400, headers: {}, body: body(error.message, "invalid_request_error", "invalid_json") };
    case "invalid_value":
      return { status: 400, headers: {}, body: body(error.message, "invalid_request_error", "invalid_value", error.param) };
    case "request_too_large":
      return { status: 413, headers: {}, body: body(tooLargeMessage(error.limitBytes, error.operation), "invalid_request_error", "request_too_large") };
    case "unsupported_content_encoding":
      return {
        status: 415,
        headers: ACCEPT_NO_CODING,
        body: body(`Content-Encoding '${error.encoding}' is not supported; send the request body uncompressed.`, "invalid_request_error", "unsupported_content_encoding"),
      };
    case "invalid_encoding":
      return { status: 400, headers: {}, body: body("The request body is not valid UTF-8.", "invalid_request_error", "invalid_encoding") };
    case "request_timeout":
      return {
        status: 408,
        headers: {},
        body: body(
          `The request body was not received within the gateway's ${shownSeconds(error.timeoutMs)} limit; send it whole without pausing, or ask the gateway operator to raise BODY_READ_TIMEOUT_MS.`,
          "invalid_request_error",
          "request_timeout",
        ),
      };
    case "invalid_api_key":
      return {
        status: 401,
        headers: {},
        body: body("Incorrect API key provided. Pass a valid gateway key as 'Authorization: Bearer <key>'.", "invalid_request_error", "invalid_api_key"),
      };
    case "model_not_found":
      return {
        status: 404,
        headers: {},
        body: body(`The model '${error.model}' does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found", "model"),
      };
    case "not_found":
      return { status: 404, headers: {}, body: body(error.message, "invalid_request_error", "unknown_url") };
    case "method_not_allowed":
      return { status: 405, headers: {}, body: body(`Method ${error.method} is not allowed here.`, "invalid_request_error", "method_not_allowed") };
    case "residency_violation":
      return { status: 403, headers: {}, body: body(error.message, "invalid_request_error", "residency_violation") };
    case "deployment_unpriced":
      return { status: 503, headers: { "x-should-retry": "false" }, body: body(error.message, "server_error", "deployment_unpriced") };
    case "rate_limited":
      return {
        status: 429,
        headers: error.retryAfterMs === null ? { "x-should-retry": "false" } : waitHeaders(error.retryAfterMs),
        body: body(error.message, error.limitType, "rate_limit_exceeded"),
      };
    case "budget_exceeded":
      return { status: 429, headers: { "x-should-retry": "false" }, body: body(error.message, "insufficient_quota", "insufficient_quota") };
    case "budget_unavailable":
      return {
        status: 503,
        headers: { "retry-after": String(error.retryAfterSeconds) },
        body: body(error.message, "server_error", "budget_unavailable"),
      };
    case "vendor_rejected": {
      const rendered = body(error.message, "invalid_request_error", error.code, error.param);
      // Why a content filter refused the prompt (Azure's innererror); no other refusal carries one.
      if (error.code === "content_filter" && error.innererror) rendered.error.innererror = error.innererror;
      return { status: error.status, headers: { "x-should-retry": "false" }, body: rendered };
    }
    case "upstream_error":
      return {
        status: 502,
        headers: error.retryable === false ? { "x-should-retry": "false" } : error.retryAfterMs === undefined ? {} : waitHeaders(error.retryAfterMs),
        body: body(error.message, "server_error", "upstream_error"),
      };
    case "upstream_rate_limited":
      return {
        status: 429,
        headers: error.retryAfterMs === null ? {} : waitHeaders(error.retryAfterMs),
        body: body(error.message, error.limitType, "rate_limit_exceeded"),
      };
    case "upstream_timeout":
      return { status: 504, headers: {}, body: body(error.message, "server_error", "upstream_timeout") };
    case "upstream_unavailable":
      return { status: 503, headers: { "retry-after": String(error.retryAfterSeconds) }, body: body(error.message, "server_error", "upstream_unavailable") };
    case "upstream_invalid_response":
      return { status: 502, headers: {}, body: body(error.message, "server_error", "upstream_invalid_response") };
    case "not_ready":
      return {
        status: 503,
        headers: { "retry-after": String(error.retryAfterSeconds) },
        body: body("The gateway has no verified configuration yet; retry shortly.", "server_error", "not_ready"),
      };
    case "shutting_down":
      return { status: 503, headers: { "retry-after": "1" }, body: body("The gateway is shutting down; retry.", "server_error", "shutting_down") };
    case "internal_error":
      return { status: 500, headers: {}, body: body("The gateway hit an internal error. It has been logged.", "server_error", "internal_error") };
  }
}

/**
 * Every code the gateway itself gives an error (renderError), and `client_closed` (a usage status's
 * code). Any other code came from a vendor (`vendor_rejected` passes the vendor's own on): a value
 * without a bound, kept out of anything that must stay small, such as metric labels.
 */
export const GATEWAY_ERROR_CODES: ReadonlySet<string> = new Set([
  "invalid_json", "invalid_value", "request_too_large", "unsupported_content_encoding", "invalid_encoding", "request_timeout", "invalid_api_key", "model_not_found", "unknown_url", "method_not_allowed",
  "residency_violation", "deployment_unpriced", "rate_limit_exceeded", "insufficient_quota", "budget_unavailable", "upstream_error",
  "upstream_timeout", "upstream_unavailable", "upstream_invalid_response", "not_ready", "shutting_down", "internal_error", "client_closed",
  "vendor_rejected",
]);

/** The code an error carries, for usage events and logs. */
export function errorCode(error: GatewayError): string {
  return renderError(error).body.error.code ?? error.kind;
}
