/**
 * Classifies a Gemini API failure. Bodies follow Google's API error model,
 * `{"error":{"code":429,"message":"...","status":"RESOURCE_EXHAUSTED","details":[...]}}`
 * (https://ai.google.dev/gemini-api/docs/troubleshooting); a 429 may say how long to wait in a
 * `google.rpc.RetryInfo` detail (`"retryDelay": "37s"`) rather than in a header. A model Google does
 * not have (404 "models/x is not found for API version ..."), a path Google does not serve (404 "The
 * requested URL /v1beta/v1beta/... was not found on this server.", as JSON or Google's HTML error
 * page: a baseUrl the caller cannot choose) and a project that cannot be used (402; 400
 * FAILED_PRECONDITION, the free tier not offered where the proxy runs and no billing) are the
 * deployment's failure, not the caller's (deployment-unavailable.ts). On embeddings the two 404s are
 * the operation the caller chose (`wrong_operation`, notServedCause): Google answers embeddings on a
 * chat model "models/x is not found ..., or is not supported for batchEmbedContents", a model it has.
 * Any other 404 stays the caller's: it can be a file the request referenced. So does the one 403 that
 * is about a file, not the key (fileNotReadable): every other 401/403 is the gateway's credential.
 */
import { credentialRejected, isCredentialStatus } from "../credential-rejected.ts";
import { deploymentUnavailable, isPaymentRequired, notServedCause, type UnavailableCause } from "../deployment-unavailable.ts";
import { contextLengthMessage, type ContextLengthFigures } from "../context-length-message.ts";
import type { VendorError, VendorOperation } from "../types.ts";
import { boundedWaitMs, retryAfterMs } from "../retry-after.ts";
import { httpErrorStatus } from "../http-error-status.ts";
import { isTransientStatus } from "../transient-status.ts";

// "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576)."
const CONTEXT_LENGTH = /exceeds the maximum number of tokens|input token count|context length|too many tokens/i;
// Its figures (at most 15 digits: safe integers), told the client in OpenAI's words.
const TOKEN_COUNT_FIGURES = /input token count \((\d{1,15})\) exceeds the maximum number of tokens allowed \((\d{1,15})\)/i;
function contextLengthFigures(message: string): ContextLengthFigures | null {
  const counted = TOKEN_COUNT_FIGURES.exec(message);
  return counted ? { maxTokens: Number(counted[2]), messageTokens: Number(counted[1]) } : null;
}

interface GoogleError {
  status: string | null;
  message: string;
  retryDelayMs: number | null;
  /** google.rpc.ErrorInfo reasons, e.g. API_KEY_INVALID (Google answers a bad key with 400, not 401). */
  reasons: string[];
}

/** The status, message and RetryInfo delay of a Google error body, or the raw text when it is not one. */
export function readGeminiError(body: string): GoogleError {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown; status?: unknown; details?: unknown } } | { error?: unknown }[];
    // streamGenerateContent without alt=sse wraps everything in an array; accept both.
    const error = (Array.isArray(parsed) ? parsed[0]?.error : parsed?.error) as { message?: unknown; status?: unknown; details?: unknown } | undefined;
    if (error && typeof error.message === "string") {
      let retryDelayMs: number | null = null;
      const reasons: string[] = [];
      for (const detail of Array.isArray(error.details) ? error.details : []) {
        const reason = (detail as { reason?: unknown })?.reason;
        if (typeof reason === "string") reasons.push(reason);
        const delay = (detail as { retryDelay?: unknown })?.retryDelay;
        const match = typeof delay === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(delay) : null;
        if (match) retryDelayMs = boundedWaitMs(Number(match[1]) * 1000);
      }
      return { status: typeof error.status === "string" ? error.status : null, message: error.message, retryDelayMs, reasons };
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return { status: null, message: body.slice(0, 500) || "(empty body)", retryDelayMs: null, reasons: [] };
}

const CREDENTIAL_REASONS = new Set(["API_KEY_INVALID", "API_KEY_SERVICE_BLOCKED", "API_KEY_HTTP_REFERRER_BLOCKED"]);
// Matched at the start of Google's message only (a validation message can quote the caller's text).
// "models/gemini-1.0-pro is not found for API version v1beta, or is not supported for generateContent. ..."
const MODEL_NOT_FOUND = /^models\/\S+ is not found/;
// Google's front end for a path it does not serve: "The requested URL /v1beta/v1beta/models/x:generateContent
// was not found on this server." As JSON the message must start with it; Google's HTML error page
// (never an API answer, so never about the request) says it with the path in <code>.
const PATH_NOT_FOUND = /^The requested URL \S+ was not found on this server/;
const HTML_PATH_NOT_FOUND = /The requested URL <code>[^<]*<\/code> was not found on this server/;
const isUnservedPath = (status: number, error: GoogleError, body: string): boolean =>
  status === 404 && (PATH_NOT_FOUND.test(error.message) || (error.status === null && body.trimStart().startsWith("<") && HTML_PATH_NOT_FOUND.test(body)));
// The FAILED_PRECONDITION messages of the troubleshooting guide: "Gemini API free tier is not available
// in your country. Please enable billing on your project in Google AI Studio." and "User location is not
// supported for the API use." (other FAILED_PRECONDITIONs, a referenced file not yet ACTIVE, stay the caller's).
const PROJECT_REFUSED = /^(Gemini API free tier is not available|User location is not supported)/;
// Google's 403 for a Files API file the request names (fileData.fileUri) that this project cannot read:
// another project's, expired (48 h TTL) or deleted. "You do not have permission to access the File
// abc123 or it may not exist." (googleapis/python-genai#1218, google-gemini/deprecated-generative-ai-python#692).
// The caller's file, not the gateway's key: the same URI fails on every deployment, so no fallback and
// no breaker failure (python-genai#1218 once traced it to an unpaid project; the words do not say so, and
// a refused key or project gets other 403s). Matched at the start of the message only, as MODEL_NOT_FOUND is.
const FILE_NOT_READABLE = /^You do not have permission to access the File \S+ or it may not exist\b/;
const fileNotReadable = (status: number, error: GoogleError): boolean => status === 403 && FILE_NOT_READABLE.test(error.message);

/** Why the deployment (not the request) cannot be served; null when it can. */
function unavailableCause(status: number, error: GoogleError, body: string, operation: VendorOperation): UnavailableCause | null {
  if (isPaymentRequired(status) || (error.status === "FAILED_PRECONDITION" && PROJECT_REFUSED.test(error.message))) return "account";
  if ((status === 404 && MODEL_NOT_FOUND.test(error.message)) || isUnservedPath(status, error, body)) return notServedCause(operation);
  return null;
}

/**
 * Gemini's names (snake or camel case, as its messages use both) for the fields the gateway fills from
 * an OpenAI parameter: a refusal that names one is told as that parameter, so a client that branches on
 * `param` finds the field it sent, not one it never heard of.
 */
const OPENAI_PARAM_OF: [RegExp, string][] = [
  [/\boutput_?dimensionality\b/i, "dimensions"],
  // Not maxOutputTokens: it is filled from max_tokens or max_completion_tokens, and the message cannot say which.
  [/\bstop_?sequences\b/i, "stop"],
  // candidateCount is filled from n; a model that takes one candidate only may not name the field
  // ("Multiple candidates is not enabled for this model", Gemini 3; "Only one candidate can be specified").
  [/\bcandidate_?count\b|^Multiple candidates is not enabled\b|^Only one candidate can be specified\b/i, "n"],
  [/\bpresence_?penalty\b/i, "presence_penalty"],
  [/\bfrequency_?penalty\b/i, "frequency_penalty"],
  [/\btop_?p\b/i, "top_p"],
  [/\btemperature\b/i, "temperature"],
  // A fileData.fileUri it will not fetch (an image or PDF URL: content.ts; a Gemini 2.0 model, or a URL
  // external-url.ts could not judge), "Invalid or unsupported file uri: https://...": the URL came in a
  // message's part, which the words do not say. Matched at the start only (the URL is the caller's text).
  [/^Invalid or unsupported file uri\b/, "messages"],
];

function openAIParamIn(message: string): string | null {
  // A schema refusal quotes the client's own property names (`parameters.properties[temperature].enum`,
  // `response_schema.properties[top_p]`): those are no parameters, so they are cut out first.
  const fields = message.replace(/properties\[[^\]]*\]/gi, "").replace(/\.properties\.[\w-]+/gi, "");
  return OPENAI_PARAM_OF.find(([pattern]) => pattern.test(fields))?.[1] ?? null;
}

/**
 * The HTTP status of each google.rpc.Code as Google's error model maps it
 * (https://cloud.google.com/apis/design/errors; google/rpc/code.proto "HTTP Mapping"). CANCELLED is
 * 499 there, the caller having cancelled, but Gemini sends it from its own side under load
 * (transient-status.ts): read as 499 as its HTTP answer is, it is retried the same way. A Map, so a status
 * "constructor" finds nothing.
 */
const HTTP_STATUS_OF = new Map(
  Object.entries({
    INVALID_ARGUMENT: 400,
    FAILED_PRECONDITION: 400,
    OUT_OF_RANGE: 400,
    UNAUTHENTICATED: 401,
    PERMISSION_DENIED: 403,
    NOT_FOUND: 404,
    CANCELLED: 499,
    ALREADY_EXISTS: 409,
    ABORTED: 409,
    RESOURCE_EXHAUSTED: 429,
    UNKNOWN: 500,
    INTERNAL: 500,
    DATA_LOSS: 500,
    UNIMPLEMENTED: 501,
    UNAVAILABLE: 503,
    DEADLINE_EXCEEDED: 504,
  }),
);

/**
 * The HTTP status a Google error object inside a 200 stream, or a 200 body that is only one
 * (ProviderAdapter.errorStatus), stands for, so classifyGeminiError judges it as the same error
 * answered over HTTP: its `code` when that is an HTTP status (a number or a string
 * of digits, as OpenAI's in-stream errors are read), else what its `status` means (HTTP_STATUS_OF), else
 * 500 (an error that cannot be placed is the vendor's failure).
 *
 * @example geminiStreamErrorStatus({ message: "Resource has been exhausted", status: "RESOURCE_EXHAUSTED" }) // 429
 */
export function geminiStreamErrorStatus(error: unknown): number {
  if (typeof error !== "object" || error === null) return 500;
  const { code, status } = error as { code?: unknown; status?: unknown };
  return httpErrorStatus(code) ?? (typeof status === "string" ? HTTP_STATUS_OF.get(status) : undefined) ?? 500;
}

/** Retryable for 408/429/499/5xx; any other 4xx the caller caused goes back to the client as vendor_rejected. */
export function classifyGeminiError(status: number, headers: Headers, body: string, nowMs = Date.now(), operation: VendorOperation = "chat"): VendorError {
  const error = readGeminiError(body);
  if ((isCredentialStatus(status) && !fileNotReadable(status, error)) || error.reasons.some((r) => CREDENTIAL_REASONS.has(r))) return credentialRejected(status);
  const unavailable = unavailableCause(status, error, body, operation);
  if (unavailable) return deploymentUnavailable(unavailable);
  const wait = retryAfterMs(headers, nowMs) ?? error.retryDelayMs;
  if (isTransientStatus(status)) {
    return {
      retryable: true,
      clientError: { kind: "upstream_error", message: `Gemini answered ${status}${error.status ? ` ${error.status}` : ""}: ${error.message}` },
      retryAfterMs: wait,
      reason: `status_${status}`,
    };
  }
  const contextLength = status === 400 && CONTEXT_LENGTH.test(error.message);
  return {
    retryable: false,
    clientError: {
      kind: "vendor_rejected",
      status,
      message: contextLength ? contextLengthMessage(error.message, contextLengthFigures(error.message)) : error.message,
      code: contextLength ? "context_length_exceeded" : error.status,
      param: contextLength ? "messages" : status === 400 ? openAIParamIn(error.message) : null,
    },
    retryAfterMs: wait,
    reason: contextLength ? "context_length" : `status_${status}`,
  };
}
