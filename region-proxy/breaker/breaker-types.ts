/**
 * The circuit-breaker contract, per deployment: after `failureThreshold` consecutive failures the
 * deployment is skipped for `coolDownMs`; then exactly one probe request may try it (half-open), and
 * its success closes the breaker while its failure opens it for another cool-down. A probe that ends
 * with no verdict on the deployment (the client left, no vendor call was made, the vendor answered
 * 429, a stream was cut by its time limit while still sending chunks) releases its slot, so the next
 * request probes at once. An answer the caller's request caused (its own 4xx) is a success: the
 * deployment answered.
 */

/** A canAttempt answer: refused, allowed on a closed breaker, or allowed as the half-open probe. */
export type AttemptGrant = boolean | "probe";

/**
 * The in-process breaker answers synchronously and the Redis one asynchronously; the request path
 * awaits only an answer that is a promise (walk-chain.ts), so a proxy without Redis pays no promise
 * round trip per request for its breaker.
 */
export interface CircuitBreaker {
  /**
   * May a request use this deployment now? `true` when closed; in half-open, `"probe"` for exactly
   * one caller, which took the probe slot and must end it with onSuccess, onFailure or releaseProbe;
   * `false` otherwise. Test the answer for truth, not `=== true`.
   */
  canAttempt(depId: string, nowMs?: number): Promise<AttemptGrant> | AttemptGrant;
  /** A request to this deployment succeeded: close the breaker and forget past failures. */
  onSuccess(depId: string, nowMs?: number): Promise<void> | void;
  /** A request to this deployment failed in a way that says the deployment is unhealthy. */
  onFailure(depId: string, nowMs?: number): Promise<void> | void;
  /**
   * The probe this caller was granted ended with no verdict: free the half-open slot (the breaker
   * stays half-open). Changes nothing when closed or still open. Call it only after a `"probe"`
   * grant: the slot has no owner, so a release frees whichever probe holds it.
   */
  releaseProbe(depId: string, nowMs?: number): Promise<void> | void;
  /**
   * What is left of this deployment's cool-down, in ms: until canAttempt may grant it again. 0 when
   * closed or half-open (a probe in flight may report any moment). Changes nothing; for the
   * Retry-After of a request whose every deployment was skipped.
   */
  coolDownLeftMs(depId: string, nowMs?: number): Promise<number> | number;
}

export interface BreakerOptions {
  /** Consecutive failures that open the breaker (default 3). */
  failureThreshold?: number;
  /** How long an open breaker skips the deployment (default 30 s). */
  coolDownMs?: number;
  /**
   * A probe that never reports back frees the half-open slot after this long. It must outlast the
   * probe's request, or a slow probe still in flight loses its slot and a second probe starts. A
   * function is asked for the deployment's own value each time a probe may be granted: the proxy
   * passes each deployment's total timeout (its own `timeouts.totalMs`, else the proxy's default). A
   * value that is not a positive finite number counts as unset. Default: the larger of coolDownMs and
   * 120 s (the proxy's default total timeout).
   */
  probeTimeoutMs?: number | ((depId: string) => number);
}

/** Options with defaults applied: the probe timeout as a function of the deployment. */
export interface BreakerSettings {
  failureThreshold: number;
  coolDownMs: number;
  probeTimeoutMs: (depId: string) => number;
}

/** The proxy's default request total timeout (region-proxy/main.ts), the floor of the default probe timeout. */
const DEFAULT_PROBE_TIMEOUT_MS = 120_000;

/** Options with defaults applied; rejects values that would make the breaker meaningless. */
export function breakerSettings(options: BreakerOptions = {}): BreakerSettings {
  const failureThreshold = options.failureThreshold ?? 3;
  const coolDownMs = options.coolDownMs ?? 30_000;
  const defaultProbeTimeoutMs = Math.max(coolDownMs, DEFAULT_PROBE_TIMEOUT_MS);
  const given = options.probeTimeoutMs;
  if (!Number.isSafeInteger(failureThreshold) || failureThreshold < 1) throw new TypeError(`invalid failureThreshold: ${failureThreshold}`);
  for (const [name, value] of [["coolDownMs", coolDownMs], ["probeTimeoutMs", typeof given === "number" ? given : defaultProbeTimeoutMs]] as const) {
    if (!isPositive(value)) throw new TypeError(`invalid ${name}: ${value}`);
  }
  let probeTimeoutMs: (depId: string) => number;
  if (typeof given === "function") {
    // Asked on the request path: a bad answer falls back to the default rather than failing the request.
    probeTimeoutMs = (depId) => {
      const value = given(depId);
      return isPositive(value) ? value : defaultProbeTimeoutMs;
    };
  } else {
    const fixed = given ?? defaultProbeTimeoutMs;
    probeTimeoutMs = () => fixed;
  }
  return { failureThreshold, coolDownMs, probeTimeoutMs };
}

function isPositive(value: number): boolean {
  return Number.isFinite(value) && value > 0;
}
