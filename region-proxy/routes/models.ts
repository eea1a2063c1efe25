/** GET /v1/models: the aliases this key may call and this region may serve its tenant, in OpenAI's list format. */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { ProxyDeps } from "../deps.ts";
import { errorResponse } from "../openai/error-response.ts";
import { authenticate } from "../pipeline/authenticate.ts";
import { allowedAliasNames } from "../pipeline/authorize.ts";
import { residencyRule, satisfies } from "../pipeline/residency.ts";

export function listModels(request: Request, requestId: string, deps: ProxyDeps): Response {
  const loaded = deps.current.get();
  const refused = (error: GatewayError) => {
    deps.metrics.refused(error);
    return errorResponse(error, requestId);
  };
  if (!loaded) return refused({ kind: "not_ready", retryAfterSeconds: 1 });
  const auth = authenticate(request.headers.get("authorization"), loaded.snapshot);
  if (!auth.ok) return refused({ kind: "invalid_api_key" });
  // Only what this tenant can be served here: an alias none of whose deployments its residency rule
  // allows in this region would answer every call with residency_violation.
  const { snapshot } = loaded;
  const rule = residencyRule(auth.tenant, snapshot, null);
  const servable = (name: string) =>
    rule.jurisdictions === null || (snapshot.aliases[name]?.chain.some((id) => snapshot.deployments[id] !== undefined && satisfies(snapshot.deployments[id]!, rule)) ?? false);
  const data = allowedAliasNames(auth.key, loaded.aliasNames, snapshot)
    .filter(servable)
    .map((id) => ({ id, object: "model", created: loaded.issuedAtSeconds, owned_by: "gateway" }));
  return Response.json({ object: "list", data }, { headers: { "x-request-id": requestId } });
}
