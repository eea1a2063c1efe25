/**
 * POST /v1/embeddings, the same pipeline as chat: authenticate → context → authorize → plan route
 * (residency, and only deployments that offer embeddings) → limits (precounted input tokens) →
 * execute → settle (usage event endpoint `embeddings`).
 */
import { errorCode } from "../../shared/errors/openai-error.ts";
import type { ProxyDeps } from "../deps.ts";
import { errorResponse } from "../openai/error-response.ts";
import { estimateEmbeddingTokens, parseEmbeddingsRequest } from "../openai/parse-embeddings-request.ts";
import { readJsonBody } from "../openai/read-body.ts";
import { authenticate } from "../pipeline/authenticate.ts";
import { authorize } from "../pipeline/authorize.ts";
import { buildContext } from "../pipeline/build-context.ts";
import { gatewayHeaders } from "../pipeline/gateway-headers.ts";
import { planRoute } from "../pipeline/plan-route.ts";
import { residencyRule } from "../pipeline/residency.ts";
import { executeEmbeddings } from "../providers/execute-embeddings.ts";
import { makeSettler } from "./settler.ts";

export async function embeddings(request: Request, requestId: string, deps: ProxyDeps): Promise<Response> {
  const startedMs = Date.now();
  const loaded = deps.current.get();
  if (!loaded) return errorResponse({ kind: "not_ready", retryAfterSeconds: 1 }, requestId);
  const { snapshot } = loaded;

  const auth = authenticate(request.headers.get("authorization"), snapshot, startedMs);
  if (!auth.ok) {
    deps.log(`request ${requestId}: key refused (${auth.reason})`);
    return errorResponse({ kind: "invalid_api_key" }, requestId);
  }
  const body = await readJsonBody(request, deps.maxBodyBytes);
  if (!body.ok) return errorResponse(body.error, requestId);
  const parsed = parseEmbeddingsRequest(body.value);
  if (!parsed.ok) return errorResponse(parsed.error, requestId);
  const req = parsed.value;

  const context = buildContext(request, { requestId, startedMs, key: auth.key, tenant: auth.tenant, snapshotVersion: snapshot.version });
  if (!context.ok) return errorResponse(context.error, requestId);
  const allowed = authorize(req.model, auth.key, snapshot);
  if (!allowed.ok) return errorResponse(allowed.error, requestId);

  const offersEmbeddings = allowed.alias.chain.some((id) => {
    const deployment = snapshot.deployments[id];
    return deployment !== undefined && deps.adapterFor(deployment.provider)?.embeddings !== undefined;
  });
  if (!offersEmbeddings) return errorResponse({ kind: "invalid_value", param: "model", message: "this alias has no deployment that offers embeddings" }, requestId);
  const plan = planRoute(allowed.alias, snapshot, deps.adapterFor, residencyRule(auth.tenant, snapshot, context.context.dataClass), (adapter) => adapter.embeddings !== undefined);
  if (!plan.ok) return errorResponse(plan.error, requestId);

  const limits = await deps.limits.admit({
    snapshot,
    key: auth.key,
    tenantId: auth.tenant.id,
    featureId: context.context.featureId,
    request: { promptTokens: estimateEmbeddingTokens(req.input), maxOutputTokens: 0 },
    deployment: plan.targets[0]?.deployment ?? null,
  });
  if (!limits.ok) return errorResponse(limits.error, requestId, limits.headers);

  const result = await executeEmbeddings(req, plan.targets, {
    firstByteMs: deps.timeouts.firstByteMs,
    totalMs: deps.timeouts.totalMs,
    resolveCredential: deps.resolveCredential,
    health: deps.health,
    clientSignal: request.signal,
    log: deps.log,
    label: requestId,
  });
  const settleWith = makeSettler(deps, { context: context.context, snapshot, alias: req.model, endpoint: "embeddings", stream: false, ticket: limits.ticket });
  const headers = { ...limits.headers, ...limits.ticket.headers, ...gatewayHeaders(deps.region, result.trail), "x-request-id": requestId };
  if (!result.ok) {
    settleWith(result.trail, null, result.clientClosed ? "client_closed" : "error", result.clientClosed ? "client_closed" : errorCode(result.error));
    return errorResponse(result.error, requestId, headers);
  }
  settleWith(result.trail, result.value.usage, "ok", null);
  return Response.json(result.value.response, { headers });
}
