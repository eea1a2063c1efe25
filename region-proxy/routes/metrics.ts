/**
 * GET /metrics: the proxy's counters and gauges in Prometheus' text format, for a scraper holding
 * METRICS_TOKEN (`Authorization: Bearer <token>`; Prometheus' `authorization` scrape setting). The
 * proxy faces applications, so without a configured token the path does not exist (404), and a wrong
 * token gets 401: deployment ids, aliases and traffic volumes are not for every caller.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { ProxyDeps } from "../deps.ts";
import { renderValue } from "../metrics/prometheus-text.ts";
import { errorResponse } from "../openai/error-response.ts";
import { unroutedHeaders } from "../pipeline/gateway-headers.ts";
import { unroutedPath } from "../unrouted-path.ts";

const digest = (text: string) => createHash("sha256").update(text).digest();

export function metrics(request: Request, requestId: string, deps: ProxyDeps): Response {
  if (!deps.metricsToken) return errorResponse(unroutedPath("/metrics"), requestId, unroutedHeaders(deps.region));
  const given = request.headers.get("authorization")?.match(/^bearer\s+(\S+)\s*$/i)?.[1] ?? "";
  // Compared as digests: equal lengths, and no early exit that would time the token out byte by byte.
  if (!timingSafeEqual(digest(given), digest(deps.metricsToken))) {
    return errorResponse({ kind: "invalid_api_key" }, requestId, unroutedHeaders(deps.region, { "www-authenticate": 'Bearer realm="metrics"' }));
  }
  const outbox = deps.usageOutbox?.();
  const gauges = [
    renderValue("gateway_snapshot_version", "Version of the config snapshot this proxy serves (0 before the first).", "gauge", deps.current.version()),
    renderValue("gateway_snapshot_age_seconds", "Seconds since the control plane last confirmed the served snapshot current (across restarts: a stored snapshot keeps its confirmation time).", "gauge", deps.current.ageSeconds() ?? 0),
    renderValue("gateway_control_plane_reachable", "1 when the last snapshot poll reached the control plane.", "gauge", deps.current.controlPlaneReachable ? 1 : 0),
    renderValue("gateway_counters_degraded", "1 while shared counters (Redis) are unreachable and this replica enforces its share in memory.", "gauge", deps.limits.degraded?.() ? 1 : 0),
    renderValue("gateway_breaker_degraded", "1 while the shared circuit breaker (Redis) is unreachable and this replica skips failing deployments on the failures it saw alone.", "gauge", deps.breakerDegraded?.() ? 1 : 0),
    renderValue("gateway_in_flight", "Requests, streams and settle steps still running.", "gauge", deps.inFlight.size()),
    ...(outbox
      ? [
          renderValue("gateway_usage_outbox_events", "Usage events stored and waiting for the control plane.", "gauge", outbox.storedEvents),
          renderValue("gateway_usage_outbox_max_events", "The outbox's cap (USAGE_OUTBOX_MAX_EVENTS).", "gauge", outbox.maxStoredEvents),
          renderValue("gateway_usage_outbox_dropped_events_total", "Usage events not written since start (each logged with its ids).", "counter", outbox.droppedEvents),
          renderValue("gateway_usage_outbox_quarantined_entries_total", "Unreadable outbox entries moved to quarantine (each logged with its key and legible event ids).", "counter", outbox.corruptEntries),
          renderValue("gateway_usage_outbox_thread_up", "1 while the outbox thread runs; 0 between its death and its replacement's start.", "gauge", outbox.threadRunning ? 1 : 0),
          renderValue("gateway_usage_outbox_thread_restarts_total", "Outbox threads that died and were replaced since start.", "counter", outbox.threadRestarts),
          renderValue("gateway_usage_outbox_unconfirmed_events", "Usage events handed to the outbox thread and not yet confirmed written: held in memory only.", "gauge", outbox.unconfirmedEvents),
          renderValue("gateway_usage_outbox_oldest_unconfirmed_seconds", "How long the oldest unconfirmed usage event has waited (0 when none waits).", "gauge", (outbox.oldestUnconfirmedAgeMs ?? 0) / 1000),
          renderValue("gateway_usage_outbox_oldest_unshipped_seconds", "Age of the oldest usage event the control plane has not acknowledged (0 when none): it grows while shipping fails, however few events wait.", "gauge", outbox.oldestUnshippedAgeMs / 1000),
          renderValue("gateway_usage_outbox_flush_failures_total", "Rounds shipping usage to the control plane that failed (unreachable, refused, 413, a KV read error); each is logged.", "counter", outbox.flushFailures),
        ]
      : []),
  ];
  return new Response(deps.metrics.render() + gauges.join(""), {
    headers: unroutedHeaders(deps.region, { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store", "x-request-id": requestId }),
  });
}
