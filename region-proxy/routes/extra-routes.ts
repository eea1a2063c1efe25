/**
 * Data-plane routes added after server.ts's table was written (POST /v1/embeddings), dispatched in
 * front of it with the same request-id, shutting-down, in-flight and internal-error handling.
 * Meant to fold into server.ts's ROUTES table (one line) once its owner picks it up.
 */
import type { ProxyDeps } from "../deps.ts";
import { errorResponse } from "../openai/error-response.ts";
import { requestIdFor } from "../pipeline/request-id.ts";
import { embeddings } from "./embeddings.ts";

type Handler = (request: Request, requestId: string, deps: ProxyDeps) => Response | Promise<Response>;

export const EXTRA_ROUTES: Record<string, Partial<Record<string, Handler>>> = {
  "/v1/embeddings": { POST: embeddings },
};

/** Wraps the route table's handler; paths it does not know go to `inner` untouched. */
export function withExtraRoutes(inner: (request: Request) => Promise<Response>, deps: ProxyDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    const path = new URL(request.url).pathname;
    const methods = EXTRA_ROUTES[path];
    if (!methods) return inner(request);
    const requestId = requestIdFor(request);
    const handler = methods[request.method];
    if (!handler) return errorResponse({ kind: "method_not_allowed", method: request.method }, requestId, { allow: Object.keys(methods).join(", ") });
    if (deps.isShuttingDown()) return errorResponse({ kind: "shutting_down" }, requestId);
    const end = deps.inFlight.begin();
    try {
      return await handler(request, requestId, deps);
    } catch (error) {
      deps.log(`request ${requestId}: internal error: ${(error as Error).stack ?? String(error)}`);
      return errorResponse({ kind: "internal_error" }, requestId);
    } finally {
      end();
    }
  };
}
