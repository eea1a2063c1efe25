/**
 * Azure OpenAI request: OpenAI's body (../openai/request.ts) with an `api-key` header instead of a
 * bearer token, sent to one of Azure's two URL forms
 * (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference):
 * - dated: `{baseUrl}/openai/deployments/{deployment}/chat/completions?api-version=...`, the
 *   api-version the one pinned in the deployment's baseUrl (`...azure.com?api-version=2025-01-01-preview`),
 *   else AZURE_API_VERSION;
 * - v1, for a baseUrl whose path ends with `/openai/v1`: `{baseUrl}/chat/completions`, no api-version,
 *   the deployment name as the body's `model` (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/latest).
 * The deployment's `model` is the Azure deployment name; OpenAI's body already carries it as `model`.
 * A `developer` message to a dated api-version before 2024-12-01-preview goes as `system` (developer-role.ts).
 */
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { buildOpenAIRequest } from "../openai/request.ts";
import type { ChatRequest, VendorHttpRequest } from "../types.ts";
import { developerAsSystem } from "./developer-role.ts";

/** The latest GA data-plane version; it supports tools, json_schema and stream_options.include_usage. */
export const AZURE_API_VERSION = "2024-10-21";

/** Azure's operations the gateway calls, as they end the URL in both forms. */
export type AzureOperation = "chat/completions" | "embeddings";

const pathOf = (url: URL) => url.pathname.replace(/\/+$/, "");
// The v1 API takes no api-version (v1 is implied) and names the deployment in the body.
const isV1 = (path: string) => /\/openai\/v1$/.test(path);

/** The api-version a deployment's calls name: its baseUrl's pin, else AZURE_API_VERSION; null for the v1 API. */
export function azureApiVersion(baseUrl: string): string | null {
  const url = new URL(baseUrl);
  return isV1(pathOf(url)) ? null : (url.searchParams.get("api-version") ?? AZURE_API_VERSION);
}

/** The URL of `operation` for a deployment; nothing from the client request reaches it. */
export function azureOperationUrl(baseUrl: string, deployment: string, operation: AzureOperation): string {
  const url = new URL(baseUrl);
  const path = pathOf(url);
  const version = azureApiVersion(baseUrl);
  if (version === null) return `${url.origin}${path}/${operation}`;
  // Accept a baseUrl given with or without the `/openai` suffix.
  const root = path.replace(/\/openai$/, "");
  return `${url.origin}${root}/openai/deployments/${encodeURIComponent(deployment)}/${operation}?api-version=${encodeURIComponent(version)}`;
}

export function buildAzureRequest(req: ChatRequest, target: SnapshotDeployment, credential: string): VendorHttpRequest {
  // A developer message to an api-version without the role goes as system (developer-role.ts).
  const openai = buildOpenAIRequest(developerAsSystem(req, () => azureApiVersion(target.baseUrl)), target, credential);
  const { authorization: _bearer, ...headers } = openai.headers;
  return { ...openai, url: azureOperationUrl(target.baseUrl, target.model, "chat/completions"), headers: { ...headers, "api-key": credential } };
}
