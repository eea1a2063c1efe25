/**
 * Classifies an OpenAI error answer. Retryable (another deployment may succeed): 408, 409, 429, 5xx.
 * 401/403 are the gateway's credential problem (credential-rejected.ts). A model the vendor does not
 * have (404 `model_not_found`; an OpenAI-compatible server's "The model `x` does not exist"), a chat
 * path it does not serve (404 "Invalid URL (POST /chat/completions)" or code `unknown_url`: a baseUrl
 * without `/v1`, which the caller cannot choose, as Azure's "Resource not found"; on embeddings, a
 * chat-only server such as Groq: the operation the caller chose, notServedCause) or an
 * account that cannot pay (429 `insufficient_quota`, 402) is the deployment's
 * (deployment-unavailable.ts). Every other 4xx was caused by the request: fail fast with the vendor's
 * own message, code and param; `context_length_exceeded` is marked so the executor may try a
 * deployment with a larger window.
 * See https://platform.openai.com/docs/guides/error-codes
 */
import { credentialRejected, isCredentialStatus } from "../credential-rejected.ts";
import { deploymentUnavailable, isPaymentRequired, notServedCause, type UnavailableCause } from "../deployment-unavailable.ts";
import { retryAfterMs } from "../retry-after.ts";
import type { VendorError, VendorOperation } from "../types.ts";

function vendorErrorFields(body: string): { message: string | null; code: string | null; param: string | null } {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown; code?: unknown; param?: unknown } };
    const e = parsed.error ?? {};
    return {
      message: typeof e.message === "string" ? e.message : null,
      code: typeof e.code === "string" ? e.code : null,
      param: typeof e.param === "string" ? e.param : null,
    };
  } catch {
    return { message: null, code: null, param: null };
  }
}

// OpenAI-compatible servers (vLLM) say it in words, with a numeric `code`; matched at the start only.
const MODEL_DOES_NOT_EXIST = /^The model `[^`]*` does not exist/;
// OpenAI's answer to a path it does not serve: `{"message":"Invalid URL (POST /chat/completions)","code":null}`,
// or code `unknown_url` ("Unknown request URL: POST /chat/completions. ..."); matched at the start only.
const INVALID_URL = /^Invalid URL \(/;
const isUnservedPath = (status: number, fields: { message: string | null; code: string | null }): boolean =>
  status === 404 && (fields.code === "unknown_url" || INVALID_URL.test(fields.message ?? ""));

/** Why the deployment (not the request) cannot be served, from OpenAI's codes; null when it can. */
function unavailableCause(status: number, fields: { message: string | null; code: string | null }, operation: VendorOperation): UnavailableCause | null {
  if (fields.code === "model_not_found" || (status === 404 && MODEL_DOES_NOT_EXIST.test(fields.message ?? ""))) return "not_found";
  if (isUnservedPath(status, fields)) return notServedCause(operation);
  if (fields.code === "insufficient_quota" || isPaymentRequired(status)) return "account";
  return null;
}

export function classifyOpenAIError(status: number, headers: Headers, body: string, operation: VendorOperation = "chat"): VendorError {
  if (isCredentialStatus(status)) return credentialRejected(status);
  const fields = vendorErrorFields(body);
  const unavailable = unavailableCause(status, fields, operation);
  if (unavailable) return deploymentUnavailable(unavailable);
  const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
  if (retryable) {
    return {
      retryable: true,
      clientError: { kind: "upstream_error", message: `The model provider failed (status ${status}).` },
      retryAfterMs: retryAfterMs(headers, Date.now()),
      reason: `status_${status}`,
    };
  }
  return {
    retryable: false,
    clientError: {
      kind: "vendor_rejected",
      status: status >= 400 && status < 500 ? status : 400,
      message: fields.message ?? `The model provider rejected the request (status ${status}).`,
      code: fields.code,
      param: fields.param,
    },
    retryAfterMs: null,
    reason: fields.code === "context_length_exceeded" ? "context_length" : `status_${status}`,
  };
}
