/**
 * Classifies an Anthropic HTTP failure. Error bodies look like
 * `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`
 * (https://docs.anthropic.com/en/api/errors); 529 means "overloaded" and is worth a retry elsewhere.
 */
import { credentialRejected, isCredentialStatus } from "../credential-rejected.ts";
import type { VendorError } from "../types.ts";
import { retryAfterMs } from "../retry-after.ts";

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504, 529]);
// Anthropic's words for an over-long prompt: "prompt is too long: 205000 tokens > 200000 maximum",
// "input length and `max_tokens` exceed context limit: ...".
const CONTEXT_LENGTH = /prompt is too long|exceed context limit|context window/i;

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

/** Retryable for 408/429/5xx/529; the caller's fault (4xx) goes back to the client as vendor_rejected. */
export function classifyAnthropicError(status: number, headers: Headers, body: string, nowMs = Date.now()): VendorError {
  if (isCredentialStatus(status)) return credentialRejected(status);
  const { type, message } = readAnthropicError(body);
  const wait = retryAfterMs(headers, nowMs);
  if (RETRYABLE.has(status) || status >= 500) {
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
      message,
      code: contextLength ? "context_length_exceeded" : type,
      param: contextLength ? "messages" : null,
    },
    retryAfterMs: wait,
    reason: contextLength ? "context_length" : `status_${status}`,
  };
}
