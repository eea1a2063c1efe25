/**
 * POST /v1/embeddings, the same pipeline as chat: authenticate → context → authorize → plan route
 * (residency, and only deployments that offer embeddings) → limits (precounted input tokens) →
 * execute → settle (usage event endpoint `embeddings`).
 */
import type { ProxyDeps } from "../deps.ts";
import { errorResponse } from "../openai/error-response.ts";
import { parseEmbeddingsRequest } from "../openai/parse-embeddings-request.ts";
import { admitRequest } from "../pipeline/admit-request.ts";
import { answerHeaders } from "../pipeline/gateway-headers.ts";
import { noEmbeddingsHere } from "../pipeline/no-embeddings-here.ts";
import { planRoute } from "../pipeline/plan-route.ts";
import { pricedTargets } from "../pipeline/priced-targets.ts";
import { budgetApplies } from "../limits/budget-applies.ts";
import { estimateEmbeddingInputTokens } from "../limits/estimate-embedding-tokens.ts";
import { refuse, refuseLimits } from "../pipeline/refuse.ts";
import { residencyRule } from "../pipeline/residency.ts";
import { executeEmbeddings } from "../providers/execute-embeddings.ts";
import { requestTotalMs } from "../providers/walk-chain.ts";
import { cutByStop, makeSettler, settleFailure, settlingOnThrow } from "./settler.ts";
import { walkOptions } from "./walk-options.ts";

export async function embeddings(request: Request, requestId: string, deps: ProxyDeps): Promise<Response> {
  const admitted = await admitRequest(request, requestId, deps, parseEmbeddingsRequest, "embeddings");
  if (!admitted.ok) return admitted.response;
  const { snapshot, body: req, context, alias, tenant, key, keyHash } = admitted;

  const offersEmbeddings = alias.chain.some((id) => {
    const deployment = snapshot.deployments[id];
    return deployment !== undefined && deps.adapterFor(deployment.provider)?.embeddings !== undefined;
  });
  const rule = residencyRule(tenant, snapshot, context.dataClass, key);
  // No deployment here can embed: 400, or residency_violation when another region embeds it under the rule.
  if (!offersEmbeddings) return refuse(deps, noEmbeddingsHere(alias.name, snapshot, rule), requestId);
  const plan = planRoute(alias, snapshot, deps.adapterFor, rule, "embeddings");
  if (!plan.ok) return refuse(deps, plan.error, requestId);
  // Under a budget, only deployments the snapshot can charge for (an unpriced one would cost 0).
  const priced = pricedTargets(plan.targets, snapshot, alias.name, budgetApplies(snapshot, key, tenant.id));
  if (!priced.ok) return refuse(deps, priced.error, requestId);

  // Counted for the first planned deployment (BPE for OpenAI and Azure), and only when a TPM level, a
  // budget or a settle needs it: the plan's deployments all serve one model (plan-route.ts).
  let counted: number | undefined;
  const promptTokens = () => (counted ??= estimateEmbeddingInputTokens(req.input, priced.targets[0]?.deployment ?? null));
  const limits = await deps.limits.admit({
    snapshot,
    key,
    tenantId: tenant.id,
    featureId: context.featureId,
    request: { promptTokens, maxOutputTokens: 0 },
    deployment: priced.targets[0]?.deployment ?? null,
    mayRunMs: requestTotalMs(priced.targets, deps.timeouts.totalMs),
    receivedAt: new Date(admitted.startedMs),
  });
  if (!limits.ok) return refuseLimits(deps, limits, requestId);

  // Its input estimate is what a call the vendor billed without reporting usage is charged, refused,
  // unanswered or answered (one count: the plan serves one model).
  const settleWith = makeSettler(deps, { context, snapshot, alias: req.model, endpoint: "embeddings", stream: false, ticket: limits.ticket, promptEstimate: promptTokens });
  const result = await settlingOnThrow(settleWith, () => executeEmbeddings(req, priced.targets, { ...walkOptions(deps, request.signal, { snapshot, tenantId: tenant.id, key, keyHash, dataClass: context.dataClass, alias: alias.name, operation: "embeddings" }), skipped: priced.skipped, label: requestId }, promptTokens));
  const headers = answerHeaders(deps.region, limits, result.trail, requestId);
  if (!result.ok) {
    const failure = cutByStop(result, { client: request.signal, cut: deps.inFlight.cutSignal });
    settleFailure(settleWith, failure);
    return errorResponse(failure.error, requestId, headers);
  }
  settleWith(result.trail, result.value.usage, "ok", null);
  return Response.json(result.value.response, { headers });
}
