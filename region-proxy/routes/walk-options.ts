/**
 * The vendor-call settings every routed endpoint walks its chain with: the proxy's timeouts,
 * credentials, breaker and log, and the client's signal (a disconnect aborts the call) beside the
 * stop (InFlight: past the grace period its cut aborts the call too, and the walk ends as if
 * its client had left; the route tells the two apart with cutByStop, routes/settler.ts). Each call
 * is checked against the snapshot held then (pipeline/residency-recheck.ts): the route was planned from
 * the one the request was admitted under, and a newer one may have refused the key (revoked, its
 * tenant disabled), removed a deployment or narrowed the tenant's residency rule while an earlier
 * call ran.
 */
import { circuitKey } from "../breaker/circuit-key.ts";
import type { ProxyDeps } from "../deps.ts";
import { residencyRecheck, type AdmittedRoute } from "../pipeline/residency-recheck.ts";
import type { WalkOptions } from "../providers/walk-chain.ts";

export function walkOptions(deps: ProxyDeps, clientSignal: AbortSignal, admitted: AdmittedRoute): Omit<WalkOptions, "label"> {
  return {
    firstByteMs: deps.timeouts.firstByteMs,
    totalMs: deps.timeouts.totalMs,
    resolveCredential: deps.resolveCredential,
    health: deps.health,
    // The breaker hears of what a deployment calls, not only its id: a repointed one starts closed.
    circuitOf: circuitKey,
    clientSignal,
    stop: deps.inFlight,
    log: deps.log,
    recheck: residencyRecheck(deps.current, admitted),
  };
}
