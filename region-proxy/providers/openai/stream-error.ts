/**
 * An error object inside an OpenAI-format 200 stream (`data: {"error":{...}}`), read as the HTTP error
 * answer it stands for, so the adapter's own classifyError judges it: a server error or a rate limit
 * is retried and falls back before the first chunk, a request the vendor refused fails fast.
 *
 * The status is the error's own when it names one (Azure's `status: 400` and string codes such as
 * `"429"`, an OpenAI-compatible server's numeric `code`), else what its `code` or `type` means in
 * OpenAI's error model (https://platform.openai.com/docs/guides/error-codes), else 500: an error we
 * cannot place is treated as the vendor's failure, as every in-stream error was before.
 *
 * @example streamErrorStatus({ type: "invalid_request_error", code: null }) // 400
 */
import { httpErrorStatus } from "../http-error-status.ts";
import type { VendorError } from "../types.ts";
import { VendorStreamError } from "../vendor-stream-error.ts";

// Maps, not objects: a code "constructor" from the vendor must not find Object.prototype's members.
const STATUS_OF_CODE = new Map(
  Object.entries({
    invalid_api_key: 401,
    model_not_found: 404,
    context_length_exceeded: 400,
    // Azure's prompt filter: its error object's `status: 400` is an extra field, `code` names it
    // (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/content-filter); read as a 500
    // without it, the refused prompt was retried and sent on to the next deployment.
    content_filter: 400,
    rate_limit_exceeded: 429,
    insufficient_quota: 429,
    server_error: 500,
  }),
);
const STATUS_OF_TYPE = new Map(
  Object.entries({
    invalid_request_error: 400,
    authentication_error: 401,
    permission_error: 403,
    not_found_error: 404,
    requests: 429,
    tokens: 429,
    rate_limit_error: 429,
    insufficient_quota: 429,
    server_error: 500,
    api_error: 500,
  }),
);

export function streamErrorStatus(error: unknown): number {
  if (typeof error !== "object" || error === null) return 500;
  const { status, code, type } = error as { status?: unknown; code?: unknown; type?: unknown };
  return (
    httpErrorStatus(status) ??
    httpErrorStatus(code) ??
    (typeof code === "string" ? STATUS_OF_CODE.get(code) : undefined) ??
    (typeof type === "string" ? STATUS_OF_TYPE.get(type) : undefined) ??
    500
  );
}

/**
 * The error an OpenAI-format stream's `error` field stands for, classified by `classify` (the adapter's
 * classifyError) from its text with the credential already cut out (`vendorText`, ResponseContext's).
 * `statusOf` reads the HTTP status it stands for: OpenAI's error model unless the vendor has its own
 * (ProviderAdapter.errorStatus, for a 2xx body that is only an error).
 */
export function streamError(
  error: unknown,
  classify: (status: number, headers: Headers, body: string) => VendorError,
  vendorText: (text: string) => string = (text) => text,
  statusOf: (error: unknown) => number = streamErrorStatus,
): VendorStreamError {
  // Some OpenAI-compatible servers send the message alone: `{"error": "..."}`.
  const fields = typeof error === "string" ? { message: error } : error;
  const message = (fields as { message?: unknown } | null)?.message;
  const verdict = classify(statusOf(fields), new Headers(), vendorText(JSON.stringify({ error: fields })));
  return new VendorStreamError(verdict, `vendor stream failed: ${typeof message === "string" ? message : "unknown error"}`);
}
