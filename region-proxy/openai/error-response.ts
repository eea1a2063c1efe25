/**
 * Renders a GatewayError (the shared union, shared/errors/openai-error.ts) to a Response with
 * `x-request-id`, plus any extra headers (the routed `x-gateway-*` ones).
 */
import { renderError, type GatewayError } from "../../shared/errors/openai-error.ts";

export function errorResponse(error: GatewayError, requestId: string, extraHeaders: Record<string, string> = {}): Response {
  const rendered = renderError(error);
  return Response.json(rendered.body, {
    status: rendered.status,
    headers: { ...rendered.headers, ...extraHeaders, "x-request-id": requestId },
  });
}
