/**
 * The route table, and nothing else: path + method → route (HEAD wherever GET), and /v1/models/{id}
 * for one model. Unknown paths answer 404 (worded by unrouted-path.ts: an OpenAI endpoint not served, a
 * base_url missing /v1); an OpenAI API path (/v1/...) with a method it is not served under answers 404
 * too, as OpenAI does (GET /v1/chat/completions is its list of stored completions: the SDK raises
 * NotFoundError, as for every endpoint not served here); OPTIONS, and a wrong method on /health,
 * /ready and /metrics, answer 405 (with `Allow`); while shutting down every API request answers 503
 * shutting_down, and every answer closes its connection.
 */
import { bodyLeftUnread } from "../shared/http/body-left-unread.ts";
import type { ProxyDeps } from "./deps.ts";
import { errorResponse } from "./openai/error-response.ts";
import { unroutedHeaders } from "./pipeline/gateway-headers.ts";
import { refuse } from "./pipeline/refuse.ts";
import { requestIdFor } from "./pipeline/request-id.ts";
import { chatCompletions } from "./routes/chat-completions.ts";
import { embeddings } from "./routes/embeddings.ts";
import { health, ready } from "./routes/health.ts";
import { metrics } from "./routes/metrics.ts";
import { listModels, MODEL_PATH_PREFIX, retrieveModel } from "./routes/models.ts";
import { unroutedPath, unservedMethod } from "./unrouted-path.ts";

type Handler = (request: Request, requestId: string, deps: ProxyDeps) => Response | Promise<Response>;

type Routes = Record<string, Partial<Record<string, Handler>>>;

/**
 * HEAD runs the GET handler wherever there is one (RFC 9110 §9.3.2): its status and headers are
 * answered, and Bun.serve sends no body for a HEAD request, so monitors probing with HEAD see the real
 * state. OPTIONS is no route anywhere (405): browsers are not clients of the proxy.
 */
const withHead = (routes: Routes): Routes =>
  Object.fromEntries(Object.entries(routes).map(([path, methods]) => [path, methods.GET ? { ...methods, HEAD: methods.GET } : methods]));

const ROUTES: Routes = withHead({
  "/v1/chat/completions": { POST: chatCompletions },
  "/v1/embeddings": { POST: embeddings },
  "/v1/models": { GET: listModels },
  "/health": { GET: (_r, id, deps) => health(id, deps) },
  "/ready": { GET: (_r, id, deps) => ready(id, deps) },
  "/metrics": { GET: metrics },
});

/** GET /v1/models/{id}: one path segment after the prefix; counted under one label, whatever the id. */
const MODEL_ROUTE_LABEL = "/v1/models/{id}";
const retrieveModelAt: Handler = (request, requestId, deps) => retrieveModel(request, requestId, deps, pathOf(request.url));
const MODEL_ROUTE: Partial<Record<string, Handler>> = { GET: retrieveModelAt, HEAD: retrieveModelAt };
const isModelPath = (path: string) => path.length > MODEL_PATH_PREFIX.length && path.startsWith(MODEL_PATH_PREFIX) && path.indexOf("/", MODEL_PATH_PREFIX.length) < 0;

/** Without METRICS_TOKEN /metrics is no route at all (404 for every method, as any unknown path). */
const { "/metrics": _metrics, ...ROUTES_WITHOUT_METRICS } = ROUTES;

const PROBES = new Set(["/health", "/ready", "/metrics"]);

/**
 * The path of the URL a request carries, without query or fragment
 * ("http://127.0.0.1:4002/v1/models?x=1" → "/v1/models"): the route table's key, read without parsing
 * a URL object per request. A request without a Host (HTTP/1.0, or an empty Host) carries a relative
 * URL, which is its path already. Paths are matched as sent, slashes included ("/v1//models/" is no
 * route: its 404 names the path meant, unrouted-path.ts); dot segments never reach here (Bun resolves
 * "/v1/./models" to "/v1/models" before the handler).
 */
export function pathOf(url: string): string {
  const start = url.startsWith("/") ? 0 : url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const query = url.indexOf("?", start);
  const fragment = url.indexOf("#", start);
  return url.slice(start, Math.min(query < 0 ? url.length : query, fragment < 0 ? url.length : fragment));
}

/**
 * A request that declared a body (a length above 0, or chunked) which no one has read, or whose
 * reading stopped before its end (over the limit, cut off: body-left-unread.ts; bodyUsed is true then).
 */
function hasUnreadBody(request: Request): boolean {
  if (request.bodyUsed) return bodyLeftUnread(request);
  const length = request.headers.get("content-length");
  return length === null ? request.headers.has("transfer-encoding") : length !== "0";
}

/**
 * The status an answer is counted under: 499 for a failure rendered after its client had closed the
 * connection (nginx's and Envoy's convention), which no one received: the walk noticed the client gone
 * and the route rendered its failure (a 502), while the usage event and gateway_requests_settled_total
 * say client_closed. A success is counted as sent, as its usage event says ok; only failures read the
 * request's signal, so the common answer pays one comparison.
 */
function answeredStatus(request: Request, response: Response): number {
  return response.status >= 400 && request.signal.aborted ? CLIENT_CLOSED_STATUS : response.status;
}

/** nginx's "client closed request", which Envoy's access logs also use. */
const CLIENT_CLOSED_STATUS = 499;

/**
 * The answer to a known path asked with a method it is not served under: on the OpenAI API's paths
 * (/v1/...) OpenAI's 404 (unrouted-path.ts unservedMethod), except OPTIONS; elsewhere, and OPTIONS
 * everywhere (no CORS: browsers are not clients of the proxy), 405 with `Allow`.
 */
function wrongMethod(method: string, route: string, sentPath: string, methods: Partial<Record<string, Handler>>, requestId: string, deps: ProxyDeps): Response {
  if (method !== "OPTIONS" && route.startsWith("/v1/")) return errorResponse(unservedMethod(method, route, sentPath), requestId, unroutedHeaders(deps.region));
  return errorResponse({ kind: "method_not_allowed", method }, requestId, unroutedHeaders(deps.region, { allow: Object.keys(methods).join(", ") }));
}

export function createFetchHandler(deps: ProxyDeps): (request: Request) => Promise<Response> {
  const routes: Routes = deps.metricsToken ? ROUTES : ROUTES_WITHOUT_METRICS;
  /**
   * Counts the answer (route, status as answeredStatus has it, time to its headers) and passes it on.
   * Once the stop began, it carries `Connection: close` (whatever it said) and Bun closes the connection after it: a pooled
   * client reconnects, to another replica, instead of sending its next request to one that is stopping.
   * A refusal given before the request's body was read to its end (a body over the limit, declared or
   * chunked, a refused key) closes its connection too: the client may still be sending that body, and
   * a connection left open with it unread held the graceful stop for the whole grace period.
   */
  const counted = (request: Request, route: string, startedMs: number, response: Response): Response => {
    deps.metrics.answered(route, answeredStatus(request, response), (performance.now() - startedMs) / 1000);
    if (deps.isShuttingDown() || (response.status >= 400 && hasUnreadBody(request))) response.headers.set("connection", "close");
    return response;
  };

  return async function handleRequest(request) {
    const startedMs = performance.now();
    const requestId = requestIdFor(request);
    const sentPath = pathOf(request.url);
    let path = sentPath;
    let methods = routes[path];
    if (!methods && isModelPath(path)) {
      methods = MODEL_ROUTE;
      path = MODEL_ROUTE_LABEL;
    }
    // Unknown paths count under one label: a scanner's paths must not each make a series.
    if (!methods) return counted(request, "other", startedMs, errorResponse(unroutedPath(path), requestId, unroutedHeaders(deps.region)));
    const handler = methods[request.method];
    if (!handler) return counted(request, path, startedMs, wrongMethod(request.method, path, sentPath, methods, requestId, deps));
    // Counted among the refusals too (refuse), as a body still arriving when the grace period ends is.
    if (deps.isShuttingDown() && !PROBES.has(path)) return counted(request, path, startedMs, refuse(deps, { kind: "shutting_down" }, requestId));
    const end = deps.inFlight.begin();
    let response: Response;
    try {
      response = await handler(request, requestId, deps);
    } catch (error) {
      deps.log(`request ${requestId}: internal error: ${(error as Error).stack ?? String(error)}`);
      response = errorResponse({ kind: "internal_error" }, requestId, unroutedHeaders(deps.region));
    } finally {
      end();
    }
    return counted(request, path, startedMs, response);
  };
}
