/**
 * GET /health: what this proxy runs on (always 200 while the process serves).
 * GET /ready: 200 once a verified snapshot is loaded, whether or not the control plane is reachable
 * afterwards (the proxy serves from its snapshot); 503 before that and while shutting down.
 * A Redis outage is reported (`degraded: ["counters"]`) but keeps the proxy ready: it enforces its
 * share of every limit in memory, and taking every replica out of the load balancer at once would
 * turn a counter outage into a data-plane outage.
 * `usageOutbox`: usage events waiting for the control plane (`storedEvents`, against `maxStoredEvents`,
 * USAGE_OUTBOX_MAX_EVENTS) and those dropped since start (`droppedEvents`, each logged with its ids: refused
 * at the cap, or one event the control plane refuses alone as too large, 413): a
 * backlog that grows says the control plane has not taken usage for a while, before the cap refuses any.
 * `corruptEntries`: unreadable outbox entries moved to the KV's quarantine prefix (each logged with its
 * key, size and legible event ids): usage that cannot be sent until an operator recovers it.
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
      usageOutbox: deps.usageOutbox?.() ?? null,
    },
    { headers: { "x-request-id": requestId, "cache-control": "no-store" } },
  );
}

export function ready(requestId: string, deps: ProxyDeps): Response {
  const isReady = deps.current.get() !== null && !deps.isShuttingDown();
  const degraded = deps.limits.degraded?.() ? ["counters"] : [];
  return Response.json(
    { ready: isReady, degraded, snapshotVersion: deps.current.version() },
    { status: isReady ? 200 : 503, headers: { "x-request-id": requestId, "cache-control": "no-store" } },
  );
}
