/**
 * GET /health: what this proxy runs on (always 200 while the process serves). `status` is "degraded"
 * (instead of "ok") while `degraded` lists a reason: the counters or the circuit breaker are running on
 * this replica's in-process state because their Redis is unreachable (from start, or since a call or
 * ping failed), the usage outbox thread is down, or usage events have waited unconfirmed by it (in
 * memory only, not yet committed to KV) for over UNCONFIRMED_DEGRADED_MS, as when the thread crashes
 * on every batch.
 * GET /ready: 200 once a verified snapshot is loaded, whether or not the control plane is reachable
 * afterwards (the proxy serves from its snapshot); 503 before that and while shutting down.
 * A Redis outage is reported (`degraded: ["counters", "breaker"]`, either or both) but keeps the proxy
 * ready: it enforces its share of every limit in memory and skips failing deployments on what it saw
 * alone, and taking every replica out of the load balancer at once would turn a Redis outage into a
 * data-plane outage.
 * `usageOutbox`: usage events waiting for the control plane (`storedEvents`, against `maxStoredEvents`,
 * USAGE_OUTBOX_MAX_EVENTS) and those dropped since start (`droppedEvents`, each logged with its ids: refused
 * at the cap, or one event the control plane refuses alone as too large, 413): a
 * backlog that grows says the control plane has not taken usage for a while, before the cap refuses any.
 * `corruptEntries`: unreadable outbox entries moved to the KV's quarantine prefix (each logged with its
 * key, size and legible event ids): usage that cannot be sent until an operator recovers it.
 * The outbox refusing usage is degraded too: while it holds its cap (the next event is refused), and for
 * DROPPED_DEGRADED_MS after any event was dropped (at the cap, a commit failing as on a full disk, or
 * one the control plane refused as too large). The outbox's status counts drops since start only, so
 * the drops of the last minute are told apart here, from the counts /health saw before (dropWatches).
 * So is shipping that has not gone through for UNSHIPPED_DEGRADED_MS (`oldestUnshippedAgeMs`: the control
 * plane unreachable, or refusing the region's token or its batches; `flushFailures` counts the failed
 * rounds), long before the cap: that is usage, money, held on this replica's disk only. It stays out of
 * /ready, like a Redis outage: every replica ships to the same control plane, so taking them out of the
 * load balancer would turn a usage-shipping outage into a data-plane outage.
 */
import type { ProxyDeps } from "../deps.ts";
import type { OutboxStatus } from "../outbox/outbox-thread.ts";
import { unroutedHeaders } from "../pipeline/gateway-headers.ts";

/** Usage events the outbox thread has not confirmed for this long make /health degraded (it commits a batch within ~100 ms). */
export const UNCONFIRMED_DEGRADED_MS = 5_000;

/** A usage event not acknowledged by the control plane for this long makes /health degraded (the flusher ships every second or so). */
export const UNSHIPPED_DEGRADED_MS = 5 * 60_000;

/** Usage events dropped within this long make /health degraded. */
export const DROPPED_DEGRADED_MS = 60_000;

/**
 * The dropped counts /health saw rise, per proxy: when each rise was first seen, at most one sample a
 * second (a later rise within the second joins it), none older than needed for the window. Looks that
 * see no rise record nothing, so frequent looks cannot keep an old drop inside the window.
 */
const dropWatches = new WeakMap<ProxyDeps, { at: number; dropped: number }[]>();

/** Usage events dropped in the last DROPPED_DEGRADED_MS, as far as the counts seen tell; drops before the first look count as recent. */
function droppedLately(deps: ProxyDeps, dropped: number, now: number): number {
  const samples = dropWatches.get(deps) ?? [{ at: -Infinity, dropped: 0 }];
  dropWatches.set(deps, samples);
  const last = samples[samples.length - 1]!;
  if (dropped > last.dropped) {
    if (samples.length > 1 && now - last.at < 1_000) last.dropped = dropped;
    else samples.push({ at: now, dropped });
  }
  // The baseline is the newest sample at least a window old: what had been dropped before the window.
  while (samples.length > 1 && samples[1]!.at <= now - DROPPED_DEGRADED_MS) samples.shift();
  return dropped - samples[0]!.dropped;
}

/** Why the proxy is degraded (empty when it is not). */
function degradedReasons(countersDegraded: boolean, breakerDegraded: boolean, outbox: OutboxStatus | null, droppedRecently: number): string[] {
  const reasons: string[] = [];
  if (countersDegraded) reasons.push("counters: the shared counters (Redis) are unreachable; this replica enforces its share of each limit in memory");
  if (breakerDegraded) reasons.push("breaker: the shared circuit breaker (Redis) is unreachable; this replica skips failing deployments on the failures it saw alone");
  if (outbox && !outbox.threadRunning) {
    reasons.push(`usageOutbox: the outbox thread is down (restarted ${outbox.threadRestarts} times since start); ${outbox.unconfirmedEvents} usage events are held in memory only`);
  } else if (outbox && outbox.oldestUnconfirmedAgeMs !== null && outbox.oldestUnconfirmedAgeMs > UNCONFIRMED_DEGRADED_MS) {
    reasons.push(
      `usageOutbox: ${outbox.unconfirmedEvents} usage events not confirmed by the outbox thread, the oldest for ${Math.round(outbox.oldestUnconfirmedAgeMs / 1000)} s (restarted ${outbox.threadRestarts} times since start); they are held in memory only`,
    );
  }
  if (outbox && outbox.oldestUnshippedAgeMs > UNSHIPPED_DEGRADED_MS) {
    reasons.push(
      `usageOutbox: the oldest usage event not acknowledged by the control plane is ${Math.round(outbox.oldestUnshippedAgeMs / 1000)} s old (${outbox.storedEvents} stored, ${outbox.flushFailures} failed shipping rounds since start, each logged); usage is held on this replica only`,
    );
  }
  if (outbox && outbox.storedEvents >= outbox.maxStoredEvents) {
    reasons.push(`usageOutbox: the outbox holds its limit of ${outbox.maxStoredEvents} events (USAGE_OUTBOX_MAX_EVENTS) until the control plane takes them; new usage events are refused`);
  }
  if (droppedRecently > 0) {
    reasons.push(
      `usageOutbox: ${droppedRecently} usage events dropped in the last minute, each logged with its ids and why (refused at the outbox's limit or while its thread was behind, a commit that failed, as on a full disk, or refused by the control plane as too large)`,
    );
  }
  return reasons;
}

export function health(requestId: string, deps: ProxyDeps, now = Date.now()): Response {
  const countersDegraded = deps.limits.degraded?.() ?? false;
  const breakerDegraded = deps.breakerDegraded?.() ?? false;
  const usageOutbox = deps.usageOutbox?.() ?? null;
  const degraded = degradedReasons(countersDegraded, breakerDegraded, usageOutbox, usageOutbox ? droppedLately(deps, usageOutbox.droppedEvents, now) : 0);
  return Response.json(
    {
      status: deps.isShuttingDown() ? "shutting_down" : !deps.current.get() ? "starting" : degraded.length > 0 ? "degraded" : "ok",
      degraded,
      region: deps.region,
      proxyId: deps.proxyId,
      snapshotVersion: deps.current.version(),
      snapshotAgeSeconds: deps.current.ageSeconds(),
      controlPlaneReachable: deps.current.controlPlaneReachable,
      countersDegraded,
      breakerDegraded,
      usageOutbox,
    },
    { headers: probeHeaders(requestId, deps.region) },
  );
}

export function ready(requestId: string, deps: ProxyDeps): Response {
  const isReady = deps.current.get() !== null && !deps.isShuttingDown();
  const degraded = [...(deps.limits.degraded?.() ? ["counters"] : []), ...(deps.breakerDegraded?.() ? ["breaker"] : [])];
  return Response.json(
    { ready: isReady, degraded, snapshotVersion: deps.current.version() },
    { status: isReady ? 200 : 503, headers: probeHeaders(requestId, deps.region) },
  );
}

/** Never cached; the request id and the unrouted x-gateway-* set, as on every answer. */
function probeHeaders(requestId: string, region: string): Record<string, string> {
  return unroutedHeaders(region, { "x-request-id": requestId, "cache-control": "no-store" });
}
