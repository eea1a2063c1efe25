/**
 * A request refused before any deployment was tried (key, body, authorization, residency, limits, a stop):
 * counted by its code for /metrics, answered in OpenAI's error shape with the unrouted `x-gateway-*`
 * set (and `extra`, e.g. `x-ratelimit-*`, first).
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { ProxyDeps } from "../deps.ts";
import { errorResponse } from "../openai/error-response.ts";
import { unroutedHeaders } from "./gateway-headers.ts";

export function refuse(deps: ProxyDeps, error: GatewayError, requestId: string, extra?: Record<string, string>): Response {
  deps.metrics.refused(error);
  return errorResponse(error, requestId, unroutedHeaders(deps.region, extra));
}
