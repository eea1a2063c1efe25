/**
 * Classifies an Azure OpenAI failure. Bodies are OpenAI's `{"error":{...}}` with Azure's codes: a
 * string status (`"429"`, `"401"`), `DeploymentNotFound`, and `content_filter` for a prompt the
 * content filter refused (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/content-filter),
 * whose `innererror` (which categories) is passed on as content-filter-detail.ts bounds it.
 * Azure sends `retry-after-ms` and `retry-after` on 429s. The deployment's failure, not the caller's
 * (deployment-unavailable.ts), since the caller names an alias and never a URL or deployment:
 * `DeploymentNotFound` (the deployment the gateway names was deleted or never made), `410
 * ModelDeprecated` (its model was retired: "The model associated with the deployment is deprecated and
 * no longer available for use", as quoted in epam/ai-dial-chat#4403), a 402, Azure's
 * `404 {"code":"404","message":"Resource not found"}` (a path or api-version the resource does not
 * have: the baseUrl's), a 400 refusing the api-version it sent for the deployment's model (isApiVersionRefused)
 * and `OperationNotSupported` (the deployment's model does not do the operation,
 * e.g. an embeddings model behind a chat alias).
 *
 * A content_filter refusal is billed: "When content filtering is triggered for a prompt and a
 * "status": 400 is received as part of the response there will be a charge for this request as the
 * prompt was evaluated by the service" (the content-filter page above), so it carries `billedPrompt`.
 */
import { credentialRejected, isCredentialStatus } from "../credential-rejected.ts";
import { deploymentUnavailable, isPaymentRequired } from "../deployment-unavailable.ts";
import type { VendorError } from "../types.ts";
import { retryAfterMs } from "../retry-after.ts";
import { isTransientStatus } from "../transient-status.ts";
import { contentFilterDetail } from "./content-filter-detail.ts";

function readAzureError(body: string): { message: string; code: string | null; param: string | null; innererror: unknown } {
  try {
    const error = (JSON.parse(body) as { error?: { message?: unknown; code?: unknown; param?: unknown; innererror?: unknown } }).error;
    if (error && typeof error.message === "string") {
      return { message: error.message, code: typeof error.code === "string" ? error.code : null, param: typeof error.param === "string" ? error.param : null, innererror: error.innererror };
    }
  } catch {
    // not JSON
  }
  return { message: body.slice(0, 500) || "(empty body)", code: null, param: null, innererror: undefined };
}

/**
 * Azure's answer to a URL it does not serve: a 404 whose code is the string "404". Only that code: a
 * 404 with another one may be about something the client's body named (unknown fields pass through).
 */
const isResourceNotFound = (status: number, code: string | null): boolean => status === 404 && code === "404";

/**
 * Azure's 400 for the api-version the gateway sent (its baseUrl's pin, else AZURE_API_VERSION): too old
 * for the deployment's model ("Model o1 is enabled only for api versions 2024-12-01-preview and later",
 * the name sometimes Azure's unfilled "{modelName}"), or one the resource does not serve ("API version
 * not supported"). Matched at the start of the message only (a validation message can quote the caller's text).
 */
const API_VERSION_REFUSED = /^(?:Model \S+ is enabled only for api versions |API version not supported)/;
const isApiVersionRefused = (status: number, message: string): boolean => status === 400 && API_VERSION_REFUSED.test(message);

export function classifyAzureError(status: number, headers: Headers, body: string, nowMs = Date.now()): VendorError {
  if (isCredentialStatus(status)) return credentialRejected(status);
  const error = readAzureError(body);
  if (error.code === "OperationNotSupported") return deploymentUnavailable("wrong_operation");
  if (error.code === "DeploymentNotFound" || error.code === "ModelDeprecated" || isResourceNotFound(status, error.code) || isApiVersionRefused(status, error.message)) {
    return deploymentUnavailable("not_found");
  }
  if (isPaymentRequired(status)) return deploymentUnavailable("account");
  const wait = retryAfterMs(headers, nowMs);
  if (isTransientStatus(status)) {
    return { retryable: true, clientError: { kind: "upstream_error", message: `Azure OpenAI answered ${status}: ${error.message}` }, retryAfterMs: wait, reason: `status_${status}` };
  }
  const contextLength = error.code === "context_length_exceeded";
  const filtered = error.code === "content_filter";
  // Which categories the filter refused, so the client's app can say why (documented keys only).
  const innererror = filtered ? contentFilterDetail(error.innererror) : undefined;
  return {
    retryable: false,
    clientError: { kind: "vendor_rejected", status, message: error.message, code: error.code, param: error.param, ...(innererror ? { innererror } : {}) },
    retryAfterMs: wait,
    reason: contextLength ? "context_length" : filtered ? "content_filter" : `status_${status}`,
    ...(filtered ? { billedPrompt: true as const } : {}),
  };
}
