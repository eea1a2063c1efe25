/**
 * Classifies an Anthropic HTTP failure. Error bodies look like
 * `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`
 * (https://docs.anthropic.com/en/api/errors); 529 means "overloaded" and is worth a retry elsewhere, as
 * is the bare `499 {"error":"Client closed request"}` it also answers under load (transient-status.ts).
 * An account that cannot pay (402 `billing_error`, or the 400 `invalid_request_error` Anthropic sends
 * for a drained balance or a reached spend limit), a model Anthropic does not have (404
 * `not_found_error` "model: <name>") and a path it does not serve (404 `not_found_error` "Not found":
 * a baseUrl ending in `/v1`, which the caller cannot choose) are the deployment's failure, not the
 * caller's (deployment-unavailable.ts).
 */
import { credentialRejected, isCredentialStatus } from "../credential-rejected.ts";
import { deploymentUnavailable, isPaymentRequired, type UnavailableCause } from "../deployment-unavailable.ts";
import { contextLengthMessage, type ContextLengthFigures } from "../context-length-message.ts";
import type { VendorError } from "../types.ts";
import { retryAfterMs } from "../retry-after.ts";
import { isTransientStatus } from "../transient-status.ts";

// Anthropic's words for an over-long prompt: "prompt is too long: 205000 tokens > 200000 maximum",
// "input length and `max_tokens` exceed context limit: ...".
const CONTEXT_LENGTH = /prompt is too long|exceed context limit|context window/i;
// Their figures (at most 15 digits: safe integers), told the client in OpenAI's words: read only from
// the message's opening words (a validation message can quote the caller's text), each number whole.
const PROMPT_TOO_LONG = /^prompt is too long: (\d{1,15}) tokens > (\d{1,15}) maximum(?!\d)/;
const WITH_MAX_TOKENS_TOO_LONG = /^input length and `max_tokens` exceed context limit: (\d{1,15}) \+ (\d{1,15}) > (\d{1,15})(?!\d)/;
function contextLengthFigures(message: string): ContextLengthFigures | null {
  const prompt = PROMPT_TOO_LONG.exec(message);
  if (prompt) return { maxTokens: Number(prompt[2]), messageTokens: Number(prompt[1]) };
  const withOutput = WITH_MAX_TOKENS_TOO_LONG.exec(message);
  if (withOutput) return { maxTokens: Number(withOutput[3]), messageTokens: Number(withOutput[1]), completionTokens: Number(withOutput[2]) };
  return null;
}
// Anthropic's 400s for an account that cannot be used, matched at the start only (a validation
// message can quote the caller's text): "Your credit balance is too low to access the Anthropic API.
// ..." (https://github.com/anthropics/anthropic-sdk-typescript/issues/618) and "You have reached your
// specified API usage limits. ..." / "... workspace API usage limits ..." (https://docs.anthropic.com/en/api/errors).
const ACCOUNT_REFUSED = /^(Your credit balance is too low|You have reached your specified (workspace )?API usage limits)/;
// A model name Anthropic does not know: `{"type":"not_found_error","message":"model: claude-x"}`.
const MODEL_NOT_FOUND = /^model: /;
// A path Anthropic does not serve: `{"type":"not_found_error","message":"Not found"}`, the whole message
// (a 404 about something the request named says what: "File not found: file_...").
const PATH_NOT_FOUND = /^not found\.?$/i;
/**
 * Anthropic's 400s for a request shape the model does not take, naming no field: told as the OpenAI
 * parameter the client sent, as the adapter's own refusal before the call would (claude-generation.ts),
 * for a model whose id did not tell. Matched at the start (a validation message can quote the caller's
 * text), but for JSON outputs on a platform without them, which comes through relays wrapped in their
 * own words (LiteLLM: 'litellm.BadRequestError: BedrockException - {"message":"The model returned the
 * following errors: output_config.format: Extra inputs are not permitted"}', vectorize-io/hindsight#3300):
 * matched anywhere, but not at the end of another field's path (`tools.0.output_config.format`). The
 * param only names a field in the client's own 400, so a match in quoted text costs no more than a
 * wrong name there.
 */
const REFUSED_PARAM: [RegExp, string][] = [
  // Claude Opus 4.1, Sonnet 4.5, Haiku 4.5 and later.
  [/^`?temperature`? and `?top_p`? cannot both be specified\b/, "top_p"],
  // Claude Opus 4.6, Sonnet 4.6 and later: the conversation ends on an assistant turn.
  [/^This model does not support assistant message prefill\b/, "messages"],
  // JSON outputs on a model or platform without them (Bedrock, through a relay: vectorize-io/hindsight#3300,
  // presenton/presenton#939, vercel/ai#14773), in Bedrock's words too. Sent for a JSON response_format (json-output.ts).
  [/(?<![\w.])output_config\.format: Extra inputs are not permitted\b/, "response_format"],
];
const refusedParam = (message: string) => REFUSED_PARAM.find(([pattern]) => pattern.test(message))?.[1] ?? null;

/** Why the deployment (not the request) cannot be served; null when it can. */
function unavailableCause(status: number, type: string | null, message: string): UnavailableCause | null {
  if (isPaymentRequired(status) || type === "billing_error" || (status === 400 && ACCOUNT_REFUSED.test(message))) return "account";
  if (status === 404 && type === "not_found_error" && (MODEL_NOT_FOUND.test(message) || PATH_NOT_FOUND.test(message))) return "not_found";
  return null;
}

/** The `error.type` and `error.message` of an Anthropic error body, or the raw text when it is not one. */
export function readAnthropicError(body: string): { type: string | null; message: string } {
  try {
    const parsed = JSON.parse(body) as { error?: { type?: unknown; message?: unknown } };
    const error = parsed?.error;
    if (error && typeof error.message === "string") {
      return { type: typeof error.type === "string" ? error.type : null, message: error.message };
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return { type: null, message: body.slice(0, 500) || "(empty body)" };
}

// The HTTP status each documented error type stands for (https://platform.claude.com/docs/en/api/errors).
// A Map, not an object: an error type "constructor" from the vendor must not find Object.prototype's members.
const STATUS_OF = new Map(
  Object.entries({
    invalid_request_error: 400,
    authentication_error: 401,
    permission_error: 403,
    not_found_error: 404,
    request_too_large: 413,
    rate_limit_error: 429,
    api_error: 500,
    timeout_error: 504,
    overloaded_error: 529,
  }),
);

/**
 * The HTTP status an Anthropic error object sent in place of an answer stands for, so
 * classifyAnthropicError judges it as the same error answered over HTTP: a stream's `error` event
 * (stream.ts) and a 2xx body that is only the error (ProviderAdapter.errorStatus). Its documented
 * `type`, else 500 (an error that cannot be placed is the vendor's failure).
 *
 * @example anthropicErrorStatus({ type: "request_too_large", message: "Request exceeds the maximum allowed number of bytes." }) // 413
 */
export function anthropicErrorStatus(error: unknown): number {
  const type = typeof error === "object" && error !== null ? (error as { type?: unknown }).type : undefined;
  return (typeof type === "string" ? STATUS_OF.get(type) : undefined) ?? 500;
}

/** Retryable for 408/429/499/5xx (529 among them: transient-status.ts); any other 4xx the caller caused goes back to the client as vendor_rejected. */
export function classifyAnthropicError(status: number, headers: Headers, body: string, nowMs = Date.now()): VendorError {
  if (isCredentialStatus(status)) return credentialRejected(status);
  const { type, message } = readAnthropicError(body);
  const unavailable = unavailableCause(status, type, message);
  if (unavailable) return deploymentUnavailable(unavailable);
  const wait = retryAfterMs(headers, nowMs);
  if (isTransientStatus(status)) {
    return {
      retryable: true,
      clientError: { kind: "upstream_error", message: `Anthropic answered ${status}${type ? ` ${type}` : ""}: ${message}` },
      retryAfterMs: wait,
      reason: `status_${status}`,
    };
  }
  const contextLength = status === 400 && CONTEXT_LENGTH.test(message);
  return {
    retryable: false,
    clientError: {
      kind: "vendor_rejected",
      status,
      message: contextLength ? contextLengthMessage(message, contextLengthFigures(message)) : message,
      code: contextLength ? "context_length_exceeded" : type,
      param: contextLength ? "messages" : status === 400 ? refusedParam(message) : null,
    },
    retryAfterMs: wait,
    reason: contextLength ? "context_length" : `status_${status}`,
  };
}
