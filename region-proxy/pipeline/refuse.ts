/**
 * A request refused before any deployment was tried (key, body, authorization, residency, limits, a stop):
 * counted by its code for /metrics, answered in OpenAI's error shape with the unrouted `x-gateway-*`
 * set (and `extra`, e.g. `x-ratelimit-*`, first).
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { ProxyDeps } from "../deps.ts";
import type { LimitsDecision } from "./limits.ts";
import { errorResponse } from "../openai/error-response.ts";
import { unroutedHeaders } from "./gateway-headers.ts";

export function refuse(deps: ProxyDeps, error: GatewayError, requestId: string, extra?: Record<string, string>): Response {
  deps.metrics.refused(error);
  return errorResponse(error, requestId, unroutedHeaders(deps.region, extra));
}

const SHUTTING_DOWN: GatewayError = { kind: "shutting_down" };

/**
 * The limits step's refusal, with its `x-ratelimit-*`. Once a graceful stop's cut came (it ends the
 * step's waits: InFlight.limitWaits, leases/leased-budgets.ts), whatever refused the request, it is work
 * the stop ended: 503 shutting_down (Retry-After 1; Connection: close, as every answer once the stop
 * began, server.ts), as a walk the cut ended. (Admitted after the cut, the walk starts cut and ends so.)
 */
export function refuseLimits(deps: ProxyDeps, refused: Extract<LimitsDecision, { ok: false }>, requestId: string): Response {
  return deps.inFlight.cutSignal.aborted ? refuse(deps, SHUTTING_DOWN, requestId) : refuse(deps, refused.error, requestId, refused.headers);
}
