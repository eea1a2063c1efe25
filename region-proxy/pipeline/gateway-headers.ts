/** The `x-gateway-*` headers on every routed answer: which model and provider answered, where, how. */
import type { Trail } from "../providers/execute.ts";

export function gatewayHeaders(region: string, trail: Trail): Record<string, string> {
  return {
    "x-gateway-model": trail.deployment?.model ?? "",
    "x-gateway-provider": trail.deployment?.provider ?? "",
    "x-gateway-region": region,
    "x-gateway-attempts": String(trail.attempts),
    "x-gateway-fallback": String(trail.fallback),
  };
}
