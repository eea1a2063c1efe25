/** GET /v1/models: the aliases this key may call and this region may serve its tenant, in OpenAI's list format. */
import type { ProxyDeps } from "../deps.ts";
import { authenticate } from "../pipeline/authenticate.ts";
import { allowedAliasNames } from "../pipeline/authorize.ts";
import { unroutedHeaders } from "../pipeline/gateway-headers.ts";
import { refuse } from "../pipeline/refuse.ts";
import { residencyRule, satisfies } from "../pipeline/residency.ts";

export function listModels(request: Request, requestId: string, deps: ProxyDeps): Response {
  const loaded = deps.current.get();
  if (!loaded) return refuse(deps, { kind: "not_ready", retryAfterSeconds: 1 }, requestId);
  const auth = authenticate(request.headers.get("authorization"), loaded.snapshot);
  if (!auth.ok) return refuse(deps, { kind: "invalid_api_key" }, requestId);
  // Only what this tenant can be served here: an alias none of whose deployments its residency rule
  // allows in this region would answer every call with residency_violation.
  const { snapshot } = loaded;
  const rule = residencyRule(auth.tenant, snapshot, null);
  const servable = (name: string) =>
    rule.jurisdictions === null || (snapshot.aliases[name]?.chain.some((id) => snapshot.deployments[id] !== undefined && satisfies(snapshot.deployments[id]!, rule)) ?? false);
  const data = allowedAliasNames(auth.key, loaded.aliasNames, snapshot)
    .filter(servable)
    .map((id) => ({ id, object: "model", created: loaded.issuedAtSeconds, owned_by: "gateway" }));
  return Response.json({ object: "list", data }, { headers: { ...unroutedHeaders(deps.region), "x-request-id": requestId } });
}
