/**
 * POST /v1/chat/completions, read top-down as the pipeline:
 * authenticate → context → authorize → plan route (residency) → limits → execute → settle.
 */
import { errorCode } from "../../shared/errors/openai-error.ts";
import type { ProxyDeps } from "../deps.ts";
import { estimatePromptTokens } from "../limits/estimate-prompt-tokens.ts";
import { errorResponse } from "../openai/error-response.ts";
import { parseChatRequest } from "../openai/parse-request.ts";
import { readJsonBody } from "../openai/read-body.ts";
import { authenticate } from "../pipeline/authenticate.ts";
import { authorize } from "../pipeline/authorize.ts";
import { buildContext } from "../pipeline/build-context.ts";
import { gatewayHeaders } from "../pipeline/gateway-headers.ts";
import { planRoute } from "../pipeline/plan-route.ts";
import { residencyRule } from "../pipeline/residency.ts";
import { executeChat } from "../providers/execute.ts";
import { makeSettler } from "./settler.ts";
import { streamResponse } from "./stream-response.ts";

export async function chatCompletions(request: Request, requestId: string, deps: ProxyDeps): Promise<Response> {
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
  const parsed = parseChatRequest(body.value);
  if (!parsed.ok) return errorResponse(parsed.error, requestId);
  const chat = parsed.value;

  const context = buildContext(request, { requestId, startedMs, key: auth.key, tenant: auth.tenant, snapshotVersion: snapshot.version });
  if (!context.ok) return errorResponse(context.error, requestId);

  const allowed = authorize(chat.model, auth.key, snapshot);
  if (!allowed.ok) return errorResponse(allowed.error, requestId);

  // Residency filters the chain before anything is called; the route is planned before limits
  // because the budget reservation is priced by its first deployment.
  const plan = planRoute(allowed.alias, snapshot, deps.adapterFor, residencyRule(auth.tenant, snapshot, context.context.dataClass));
  if (!plan.ok) return errorResponse(plan.error, requestId);

  const limits = await deps.limits.admit({
    snapshot,
    key: auth.key,
    tenantId: auth.tenant.id,
    featureId: context.context.featureId,
    request: chat,
    deployment: plan.targets[0]?.deployment ?? null,
  });
  if (!limits.ok) return errorResponse(limits.error, requestId, limits.headers);

  const result = await executeChat(chat, plan.targets, {
    firstByteMs: deps.timeouts.firstByteMs,
    totalMs: deps.timeouts.totalMs,
    resolveCredential: deps.resolveCredential,
    health: deps.health,
    clientSignal: request.signal,
    log: deps.log,
    ctx: { completionId: `chatcmpl-${requestId}`, created: Math.floor(startedMs / 1000), includeUsage: chat.includeUsage },
  });

  const settleWith = makeSettler(deps, { context: context.context, snapshot, alias: chat.model, endpoint: "chat.completions", stream: chat.stream, ticket: limits.ticket });
  const headers = { ...limits.headers, ...limits.ticket.headers, ...gatewayHeaders(deps.region, result.trail), "x-request-id": requestId };
  if (!result.ok) {
    settleWith(result.trail, null, result.clientClosed ? "client_closed" : "error", result.clientClosed ? "client_closed" : errorCode(result.error));
    return errorResponse(result.error, requestId, headers);
  }
  if (result.kind === "complete") {
    settleWith(result.trail, result.usage, "ok", null);
    return Response.json(result.completion, { headers });
  }
  const promptEstimate = () => estimatePromptTokens(chat, result.trail.deployment?.model ?? chat.model);
  return streamResponse(result.stream, result.trail, headers, request.signal, settleWith, deps.inFlight.begin(), promptEstimate);
}
