/**
 * POST /v1/chat/completions, read top-down as the pipeline:
 * authenticate → context → authorize → plan route → limits → execute → settle.
 */
import { errorCode, type GatewayError } from "../../shared/errors/openai-error.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import type { UsageStatus } from "../../shared/usage/usage-event.ts";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { ProxyDeps } from "../deps.ts";
import { errorResponse } from "../openai/error-response.ts";
import { parseChatRequest } from "../openai/parse-request.ts";
import { readJsonBody } from "../openai/read-body.ts";
import { sseData, SSE_DONE, sseError, SSE_HEADERS } from "../openai/sse-writer.ts";
import { authenticate } from "../pipeline/authenticate.ts";
import { authorize } from "../pipeline/authorize.ts";
import { buildContext, type RequestContext } from "../pipeline/build-context.ts";
import { gatewayHeaders } from "../pipeline/gateway-headers.ts";
import type { LimitsTicket } from "../pipeline/limits.ts";
import { planRoute } from "../pipeline/plan-route.ts";
import { settle } from "../pipeline/settle.ts";
import { executeChat, type Trail, type VendorStream } from "../providers/execute.ts";
import type { ChatRequest } from "../providers/types.ts";

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

  // The route is planned before limits because the budget reservation is priced by its first deployment.
  const plan = planRoute(allowed.alias, snapshot, deps.adapterFor);
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

  const settleWith = makeSettler(deps, context.context, snapshot, chat, limits.ticket);
  const headers = { ...limits.headers, ...limits.ticket.headers, ...gatewayHeaders(deps.region, result.trail), "x-request-id": requestId };
  if (!result.ok) {
    settleWith(result.trail, null, result.clientClosed ? "client_closed" : "error", result.clientClosed ? "client_closed" : errorCode(result.error));
    return errorResponse(result.error, requestId, headers);
  }
  if (result.kind === "complete") {
    settleWith(result.trail, result.usage, "ok", null);
    return Response.json(result.completion, { headers });
  }
  return streamResponse(result.stream, result.trail, headers, request.signal, settleWith, deps.inFlight.begin());
}

type Settler = (trail: Trail, usage: NormalizedUsage | null, status: UsageStatus, code: string | null) => void;

/** Settling runs after the answer is out, counted as in-flight so a graceful stop waits for it. */
function makeSettler(deps: ProxyDeps, context: RequestContext, snapshot: Snapshot, chat: ChatRequest, ticket: LimitsTicket): Settler {
  return (trail, usage, status, code) => {
    const end = deps.inFlight.begin();
    void settle(
      { context, snapshot, region: deps.region, alias: chat.model, endpoint: "chat.completions", stream: chat.stream, trail, usage, status, errorCode: code, ticket },
      deps.appendUsage,
      deps.log,
    ).finally(end);
  };
}

/**
 * Streams the committed vendor stream to the client. A failure after the headers ends with one
 * `data: {"error":...}` frame; a client that goes away aborts the vendor call and is settled as
 * client_closed.
 */
function streamResponse(
  vendor: VendorStream,
  trail: Trail,
  headers: Record<string, string>,
  clientSignal: AbortSignal,
  settleWith: Settler,
  endInFlight: () => void,
): Response {
  let finished = false;
  const finish = (status: UsageStatus, code: string | null) => {
    if (finished) return;
    finished = true;
    vendor.close();
    settleWith(trail, vendor.usage(), status, code);
    endInFlight();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of vendor.initialChunks) controller.enqueue(sseData(chunk));
    },
    async pull(controller) {
      try {
        const step = await vendor.next();
        for (const chunk of step.chunks) controller.enqueue(sseData(chunk));
        if (step.done) {
          controller.enqueue(SSE_DONE);
          controller.close();
          finish("ok", null);
        }
      } catch (error) {
        if (finished) return;
        if (clientSignal.aborted) {
          finish("client_closed", "client_closed");
          return;
        }
        const failure: GatewayError = vendor.failure(error);
        controller.enqueue(sseError(failure));
        controller.close();
        finish("error", errorCode(failure));
      }
    },
    cancel() {
      finish("client_closed", "client_closed");
    },
  });
  return new Response(body, { headers: { ...SSE_HEADERS, ...headers } });
}
