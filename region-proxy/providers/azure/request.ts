/**
 * Azure OpenAI request: OpenAI's body (../openai/request.ts) sent to
 * `{baseUrl}/openai/deployments/{deployment}/chat/completions?api-version=...` with an `api-key`
 * header instead of a bearer token (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference).
 * The deployment's `model` is the Azure deployment name. The api-version is the one pinned in the
 * deployment's baseUrl (`...azure.com?api-version=2025-01-01-preview`), else AZURE_API_VERSION.
 */
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { buildOpenAIRequest } from "../openai/request.ts";
import type { ChatRequest, VendorHttpRequest } from "../types.ts";

/** The latest GA data-plane version; it supports tools, json_schema and stream_options.include_usage. */
export const AZURE_API_VERSION = "2024-10-21";

/** The chat completions URL for a deployment; nothing from the client request reaches it. */
export function azureChatUrl(baseUrl: string, deployment: string): string {
  const url = new URL(baseUrl);
  const version = url.searchParams.get("api-version") ?? AZURE_API_VERSION;
  // Accept a baseUrl given with or without the `/openai` suffix.
  const root = url.pathname.replace(/\/+$/, "").replace(/\/openai$/, "");
  return `${url.origin}${root}/openai/deployments/${encodeURIComponent(deployment)}/chat/completions?api-version=${encodeURIComponent(version)}`;
}

export function buildAzureRequest(req: ChatRequest, target: SnapshotDeployment, credential: string): VendorHttpRequest {
  const openai = buildOpenAIRequest(req, target, credential);
  const { authorization: _bearer, ...headers } = openai.headers;
  return { ...openai, url: azureChatUrl(target.baseUrl, target.model), headers: { ...headers, "api-key": credential } };
}
