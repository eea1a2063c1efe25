/**
 * POST /v1/chat/completions, read top-down as the pipeline:
 * admit (authenticate → context → authorize, shared with every inference route) → plan route
 * (residency) → limits → execute → settle.
 */
import type { ProxyDeps } from "../deps.ts";
import { estimatePromptTokens } from "../limits/estimate-prompt-tokens.ts";
import { withReservedOutputCap } from "../limits/output-cap.ts";
import { errorResponse } from "../openai/error-response.ts";
import { parseChatRequest } from "../openai/parse-request.ts";
import { admitRequest } from "../pipeline/admit-request.ts";
import { answerHeaders, withHeaders } from "../pipeline/gateway-headers.ts";
import { planRoute } from "../pipeline/plan-route.ts";
import { pricedTargets } from "../pipeline/priced-targets.ts";
import { budgetApplies } from "../limits/budget-applies.ts";
import { endIfRefused } from "../pipeline/recheck-streams.ts";
import { refuse, refuseLimits } from "../pipeline/refuse.ts";
import { residencyRule } from "../pipeline/residency.ts";
import { executeChat, type ExecuteResult } from "../providers/execute.ts";
import { cutByStop, makeSettler, settleFailure, settleThrown } from "./settler.ts";
import { streamResponse } from "./stream-response.ts";
import { walkOptions } from "./walk-options.ts";
import { requestTotalMs } from "../providers/walk-chain.ts";
import { idleSecondsUntil } from "./idle-seconds.ts";

export async function chatCompletions(request: Request, requestId: string, deps: ProxyDeps): Promise<Response> {
  const admitted = await admitRequest(request, requestId, deps, (body) => parseChatRequest(body, { allowPrivateMediaUrls: deps.allowPrivateMediaUrls }));
  if (!admitted.ok) return admitted.response;
  const { startedMs, snapshot, body: chat, context, alias, tenant, key, keyHash } = admitted;

  // Residency filters the chain before anything is called; the route is planned before limits
  // because the budget reservation is priced by its first deployment.
  const plan = planRoute(alias, snapshot, deps.adapterFor, residencyRule(tenant, snapshot, context.dataClass, key));
  if (!plan.ok) return refuse(deps, plan.error, requestId);
  // Under a budget, only deployments the snapshot can charge for (an unpriced one would cost 0).
  const priced = pricedTargets(plan.targets, snapshot, alias.name, budgetApplies(snapshot, key, tenant.id));
  if (!priced.ok) return refuse(deps, priced.error, requestId);

  // The whole request's deadline: the walk's, the stream's idle timer's and its reservation's lifetime.
  const mayRunMs = requestTotalMs(priced.targets, deps.timeouts.totalMs);
  const limits = await deps.limits.admit({
    snapshot,
    key,
    tenantId: tenant.id,
    featureId: context.featureId,
    request: chat,
    deployment: priced.targets[0]?.deployment ?? null,
    mayRunMs,
    receivedAt: new Date(startedMs),
  });
  if (!limits.ok) return refuseLimits(deps, limits, requestId);
  // Admitted under a budget or TPM level with no cap of its own: the vendor is held to the one reserved.
  const sent = withReservedOutputCap(chat, limits.ticket);

  // One estimator for the request: the reader's usage of last resort, and what settling charges a call
  // the vendor billed without reporting its usage (a timeout, a refused answer).
  const promptEstimate = (model: string) => estimatePromptTokens(chat, model);
  const settleWith = makeSettler(deps, { context, snapshot, alias: chat.model, endpoint: "chat.completions", stream: chat.stream, ticket: limits.ticket, promptEstimate });
  // A throw (a defect) still settles the request (settleThrown), awaited here rather than through
  // settlingOnThrow: one async frame, one promise and one closure fewer per request.
  let result: ExecuteResult;
  try {
    result = await executeChat(
      sent,
      priced.targets,
      Object.assign(walkOptions(deps, request.signal, { snapshot, tenantId: tenant.id, key, keyHash, dataClass: context.dataClass, alias: alias.name, operation: "chat" }), {
        skipped: priced.skipped,
        ctx: { completionId: `chatcmpl-${requestId}`, created: Math.floor(startedMs / 1000), includeUsage: chat.includeUsage, promptEstimate },
      }),
    );
  } catch (error) {
    settleThrown(settleWith);
    throw error;
  }

  const headers = answerHeaders(deps.region, limits, result.trail, requestId);
  if (!result.ok) {
    const failure = cutByStop(result, { client: request.signal, cut: deps.inFlight.cutSignal });
    settleFailure(settleWith, failure);
    return errorResponse(failure.error, requestId, headers);
  }
  if (result.kind === "complete") {
    settleWith(result.trail, result.usage, "ok", null);
    return withHeaders(Response.json(result.completion), headers);
  }
  const answeredEstimate = () => promptEstimate(result.trail.deployment?.model ?? chat.model);
  // The server's idle timer is sized for the proxy's default total: a stream may run to its own
  // deadline (the longest planned deployment's total), silent while its vendor thinks.
  deps.idleTimeoutFor?.(request, idleSecondsUntil(startedMs + mayRunMs));
  // Held by its key and route: a newer snapshot that refuses the key, removes the deployment or no
  // longer allows it for this tenant and data class ends the stream (pipeline/recheck-streams.ts).
  const running = deps.inFlight.beginStream(keyHash, { tenantId: tenant.id, deploymentId: result.trail.deployment!.id, dataClass: context.dataClass });
  const response = streamResponse(result.stream, result.trail, headers, { client: request.signal, cut: deps.inFlight.cutSignal }, settleWith, running, answeredEstimate);
  // A snapshot swapped in since admission (while the vendor had not answered) checked only the streams
  // already running: this one's key and route are checked against it now, and a refused stream ends at once.
  const current = deps.current.get()?.snapshot;
  if (current !== undefined && current !== snapshot) endIfRefused(running, current, deps.log);
  return response;
}
