/** GET /v1/models: the aliases this key may call, in OpenAI's list format. */
import type { ProxyDeps } from "../deps.ts";
import { errorResponse } from "../openai/error-response.ts";
import { authenticate } from "../pipeline/authenticate.ts";
import { allowedAliasNames } from "../pipeline/authorize.ts";

export function listModels(request: Request, requestId: string, deps: ProxyDeps): Response {
  const loaded = deps.current.get();
  if (!loaded) return errorResponse({ kind: "not_ready", retryAfterSeconds: 1 }, requestId);
  const auth = authenticate(request.headers.get("authorization"), loaded.snapshot);
  if (!auth.ok) return errorResponse({ kind: "invalid_api_key" }, requestId);
  const data = allowedAliasNames(auth.key, loaded.aliasNames, loaded.snapshot).map((id) => ({ id, object: "model", created: loaded.issuedAtSeconds, owned_by: "gateway" }));
  return Response.json({ object: "list", data }, { headers: { "x-request-id": requestId } });
}
