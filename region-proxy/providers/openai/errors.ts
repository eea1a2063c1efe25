/**
 * Classifies an OpenAI error answer. Retryable (another deployment may succeed): 408, 409, 429, 5xx.
 * 401/403 are the gateway's credential problem (credential-rejected.ts). Every other 4xx was caused
 * by the request: fail fast with the vendor's own message, code and param; `context_length_exceeded`
 * is marked so the executor may try a deployment with a larger window.
 * See https://platform.openai.com/docs/guides/error-codes
 */
import { credentialRejected, isCredentialStatus } from "../credential-rejected.ts";
import { retryAfterMs } from "../retry-after.ts";
import type { VendorError } from "../types.ts";

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

export function classifyOpenAIError(status: number, headers: Headers, body: string): VendorError {
  if (isCredentialStatus(status)) return credentialRejected(status);
  const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
  if (retryable) {
    return {
      retryable: true,
      clientError: { kind: "upstream_error", message: `The model provider failed (status ${status}).` },
      retryAfterMs: retryAfterMs(headers, Date.now()),
      reason: `status_${status}`,
    };
  }
  const fields = vendorErrorFields(body);
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
