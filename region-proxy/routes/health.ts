/**
 * GET /health: what this proxy runs on (always 200 while the process serves).
 * GET /ready: 200 once a verified snapshot is loaded, whether or not the control plane is reachable
 * afterwards (the proxy serves from its snapshot); 503 before that and while shutting down.
 */
import type { ProxyDeps } from "../deps.ts";

export function health(requestId: string, deps: ProxyDeps): Response {
  return Response.json(
    {
      status: deps.isShuttingDown() ? "shutting_down" : deps.current.get() ? "ok" : "starting",
      region: deps.region,
      proxyId: deps.proxyId,
      snapshotVersion: deps.current.version(),
      snapshotAgeSeconds: deps.current.ageSeconds(),
      controlPlaneReachable: deps.current.controlPlaneReachable,
      countersDegraded: deps.limits.degraded?.() ?? false,
    },
    { headers: { "x-request-id": requestId, "cache-control": "no-store" } },
  );
}

export function ready(requestId: string, deps: ProxyDeps): Response {
  const isReady = deps.current.get() !== null && !deps.isShuttingDown();
  return Response.json(
    { ready: isReady, snapshotVersion: deps.current.version() },
    { status: isReady ? 200 : 503, headers: { "x-request-id": requestId, "cache-control": "no-store" } },
  );
}
