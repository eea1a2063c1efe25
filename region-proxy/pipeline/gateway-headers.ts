/**
 * The `x-gateway-*` headers on every routed answer: which model and provider answered (omitted when
 * no deployment could be tried), in which region, after how many vendor calls, and whether it fell back.
 */
import type { Trail } from "../providers/execute.ts";

export function gatewayHeaders(region: string, trail: Trail): Record<string, string> {
  const headers: Record<string, string> = {
    "x-gateway-region": region,
    "x-gateway-attempts": String(trail.attempts),
    "x-gateway-fallback": String(trail.fallback),
  };
  if (trail.deployment) {
    headers["x-gateway-model"] = trail.deployment.model;
    headers["x-gateway-provider"] = trail.deployment.provider;
  }
  return headers;
}
