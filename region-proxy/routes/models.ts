/**
 * GET /v1/models: the aliases this key may call and this region may serve its tenant (for the data
 * class its `X-Data-Class` names, an unknown one refused 400 as on chat), in OpenAI's list format. GET /v1/models/{id} (the SDKs' models.retrieve): one of them, or 404 model_not_found for any
 * other id (an alias the key may not use is not told apart from one that does not exist).
 */
import type { ProxyDeps } from "../deps.ts";
import { authenticate } from "../pipeline/authenticate.ts";
import { authorize } from "../pipeline/authorize.ts";
import { readDataClass } from "../pipeline/build-context.ts";
import { unroutedHeaders } from "../pipeline/gateway-headers.ts";
import { refuse } from "../pipeline/refuse.ts";
import { residencyRule, restricts, satisfies } from "../pipeline/residency.ts";

/** The path prefix of one model (`/v1/models/{id}`). */
export const MODEL_PATH_PREFIX = "/v1/models/";

type ModelObject = { id: string; object: "model"; created: number; owned_by: "gateway" };

/** Whether the request's key sees one alias, or the refusal to answer with. */
type Visibility = { ok: true; created: number; aliasNames: string[]; visible: (name: string) => boolean } | { ok: false; response: Response };

/**
 * Decides per alias, so GET /v1/models/{id} judges the one alias asked about (its cost does not grow
 * with the snapshot's alias count) and the list judges each alias by the same rule.
 */
function modelVisibility(request: Request, requestId: string, deps: ProxyDeps): Visibility {
  const loaded = deps.current.get();
  if (!loaded) return { ok: false, response: refuse(deps, { kind: "not_ready", retryAfterSeconds: 1 }, requestId) };
  const auth = authenticate(request.headers.get("authorization"), loaded.snapshot);
  if (!auth.ok) return { ok: false, response: refuse(deps, { kind: "invalid_api_key" }, requestId) };
  // Only what this tenant can be served here, for the data class it names (X-Data-Class, refused as
  // chat refuses it): an alias none of whose deployments its residency rule allows in this region
  // would answer every call with residency_violation.
  const dataClass = readDataClass(request.headers);
  if (!dataClass.ok) return { ok: false, response: refuse(deps, dataClass.error, requestId) };
  const { snapshot } = loaded;
  const rule = residencyRule(auth.tenant, snapshot, dataClass.dataClass);
  const unrestricted = !restricts(rule);
  const servable = (name: string) =>
    unrestricted || (snapshot.aliases[name]?.chain.some((id) => Object.hasOwn(snapshot.deployments, id) && satisfies(snapshot.deployments[id]!, rule)) ?? false);
  const visible = (name: string) => authorize(name, auth.key, snapshot).ok && servable(name);
  return { ok: true, created: loaded.issuedAtSeconds, aliasNames: loaded.aliasNames, visible };
}

const modelObject = (id: string, created: number): ModelObject => ({ id, object: "model", created, owned_by: "gateway" });

export function listModels(request: Request, requestId: string, deps: ProxyDeps): Response {
  const view = modelVisibility(request, requestId, deps);
  if (!view.ok) return view.response;
  const data = view.aliasNames.filter(view.visible).map((id) => modelObject(id, view.created));
  return Response.json({ object: "list", data }, { headers: { ...unroutedHeaders(deps.region), "x-request-id": requestId } });
}

export function retrieveModel(request: Request, requestId: string, deps: ProxyDeps, path: string): Response {
  const view = modelVisibility(request, requestId, deps);
  if (!view.ok) return view.response;
  let id: string;
  try {
    id = decodeURIComponent(path.slice(MODEL_PATH_PREFIX.length));
  } catch {
    id = path.slice(MODEL_PATH_PREFIX.length);
  }
  if (!view.visible(id)) return refuse(deps, { kind: "model_not_found", model: id }, requestId);
  return Response.json(modelObject(id, view.created), { headers: { ...unroutedHeaders(deps.region), "x-request-id": requestId } });
}
