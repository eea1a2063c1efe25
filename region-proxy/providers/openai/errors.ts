/**
 * Classifies an OpenAI error answer. Retryable (another deployment may succeed): 408, 409, 429, 499, 5xx
 * (transient-status.ts; 409 OpenAI's own).
 * 401/403 are the gateway's credential problem (credential-rejected.ts). A model the vendor does not
 * have (404 `model_not_found`; an OpenAI-compatible server's "The model `x` does not exist"), a chat
 * path it does not serve (404 "Invalid URL (POST /chat/completions)" or code `unknown_url`: a baseUrl
 * without `/v1`, which the caller cannot choose, as Azure's "Resource not found"; on embeddings, a
 * chat-only server such as Groq: the operation the caller chose, notServedCause) or an
 * account that cannot pay (429 `insufficient_quota`, 402) is the deployment's
 * (deployment-unavailable.ts). Every other 4xx was caused by the request: fail fast with the vendor's
 * own message, code and param; `context_length_exceeded` (or an OpenAI-compatible server's words for
 * it, told to the client with that code, param `messages` and OpenAI's words: context-length-message.ts)
 * is marked so the executor may try a deployment with a larger window.
 * See https://platform.openai.com/docs/guides/error-codes
 */
import { credentialRejected, isCredentialStatus } from "../credential-rejected.ts";
import { deploymentUnavailable, isPaymentRequired, notServedCause, type UnavailableCause } from "../deployment-unavailable.ts";
import { retryAfterMs } from "../retry-after.ts";
import { isTransientStatus } from "../transient-status.ts";
import { contextLengthMessage, type ContextLengthFigures } from "../context-length-message.ts";
import type { VendorError, VendorOperation } from "../types.ts";
import { vendorRateLimited } from "../vendor-rate-limit.ts";

function vendorErrorFields(body: string): { message: string | null; type: string | null; code: string | null; param: string | null } {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown; type?: unknown; code?: unknown; param?: unknown } };
    const e = parsed.error ?? {};
    return {
      message: typeof e.message === "string" ? e.message : null,
      type: typeof e.type === "string" ? e.type : null,
      code: typeof e.code === "string" ? e.code : null,
      param: typeof e.param === "string" ? e.param : null,
    };
  } catch {
    return { message: null, type: null, code: null, param: null };
  }
}

// OpenAI-compatible servers (vLLM) say it in words, with a numeric `code`; matched at the start only.
const MODEL_DOES_NOT_EXIST = /^The model `[^`]*` does not exist/;
// An OpenAI-compatible server's (vLLM's) over-long request: a 400 with a numeric `code`, said in words
// that changed across versions; each matched at the start of the message only (a validation message
// can quote the caller's text):
// - "This model's maximum context length is 4096 tokens. However, you requested 9000 tokens (8000 in the
//   messages, 1000 in the completion). ..." (serving_engine.py, to 0.8; also its embeddings wording);
// - "'max_tokens' or 'max_completion_tokens' is too large: 8000. This model's maximum context length is
//   4096 tokens and your request has 2778 input tokens (8000 > 4096 - 2778)." (0.9 to 0.11);
// - "You passed 5000 input tokens and requested 1000 output tokens. However, the model's context length
//   is only 4096 tokens, ..." (renderers/params.py; "input characters" when refused before tokenizing).
// Each fits a deployment with a larger window, as OpenAI's own context_length_exceeded does.
const COMPATIBLE_CONTEXT_LENGTH =
  /^(?:This model's maximum context length is \d+ tokens|'max_tokens' or 'max_completion_tokens' is too large: \d+\. This model's maximum context length is \d+ tokens|You passed \d+ input (?:tokens|characters) and requested \d+ output tokens\. However, the model's context length is only \d+ tokens)/;
// The renderer's figures, when it counted tokens (at most 15 digits: safe integers), told in OpenAI's words.
const RENDERER_FIGURES = /^You passed (\d{1,15}) input tokens and requested (\d{1,15}) output tokens\. However, the model's context length is only (\d{1,15}) tokens/;
function contextLengthFigures(message: string): ContextLengthFigures | null {
  const passed = RENDERER_FIGURES.exec(message);
  return passed ? { maxTokens: Number(passed[3]), messageTokens: Number(passed[1]), completionTokens: Number(passed[2]) } : null;
}
const isContextLength = (status: number, fields: { message: string | null; code: string | null }): boolean =>
  fields.code === "context_length_exceeded" || (status === 400 && COMPATIBLE_CONTEXT_LENGTH.test(fields.message ?? ""));
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
  const retryable = status === 409 || isTransientStatus(status);
  if (retryable) {
    const wait = retryAfterMs(headers, Date.now());
    const message = `The model provider failed (status ${status}).`;
    return {
      retryable: true,
      // A 429 is told as the rate limit it is, with the limit OpenAI named (`type` requests or tokens).
      clientError: status === 429 ? vendorRateLimited(message, wait, fields.type === "tokens" ? "tokens" : "requests") : { kind: "upstream_error", message },
      retryAfterMs: wait,
      reason: `status_${status}`,
    };
  }
  const contextLength = isContextLength(status, fields);
  const message = fields.message ?? `The model provider rejected the request (status ${status}).`;
  return {
    retryable: false,
    clientError: {
      kind: "vendor_rejected",
      status: status >= 400 && status < 500 ? status : 400,
      // Relabelled from an OpenAI-compatible server's words: told in OpenAI's. A vendor's own
      // context_length_exceeded (OpenAI's) keeps its words.
      message: contextLength && fields.code !== "context_length_exceeded" ? contextLengthMessage(message, contextLengthFigures(message)) : message,
      code: contextLength ? "context_length_exceeded" : fields.code,
      param: contextLength ? (fields.param ?? "messages") : fields.param,
    },
    retryAfterMs: null,
    reason: contextLength ? "context_length" : `status_${status}`,
  };
}
