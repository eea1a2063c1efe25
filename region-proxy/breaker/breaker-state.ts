/**
 * The breaker's state machine as pure functions, used by the in-process breaker and mirrored by the
 * Lua script of the Redis breaker (the shared test suite keeps the two equal).
 *
 * State per deployment: consecutive failures, `openUntil` (0 = closed) and `probeUntil` (0 = no probe
 * out). Open = now < openUntil; half-open = openUntil <= now, where one probe at a time is let through.
 * A success from any request closes (it proves the deployment answers); a failure while open is a
 * straggler started before the breaker opened and changes nothing; a failure in half-open re-opens;
 * a probe released without a verdict frees the slot and leaves the breaker half-open.
 */
import type { AttemptGrant, BreakerSettings } from "./breaker-types.ts";

export interface BreakerState {
  failures: number;
  openUntil: number;
  probeUntil: number;
}

export const CLOSED: BreakerState = { failures: 0, openUntil: 0, probeUntil: 0 };

/**
 * Decides one canAttempt on `depId`; returns the state to store (a half-open grant, "probe", takes the
 * probe slot for that deployment's probe timeout).
 */
export function attempt(state: BreakerState, depId: string, nowMs: number, settings: BreakerSettings): { allowed: AttemptGrant; next: BreakerState } {
  if (state.openUntil === 0) return { allowed: true, next: state };
  if (nowMs < state.openUntil || nowMs < state.probeUntil) return { allowed: false, next: state };
  return { allowed: "probe", next: { ...state, probeUntil: nowMs + settings.probeTimeoutMs(depId) } };
}

/** The state after a probe ended without a verdict: the same state unless half-open with a probe out. */
export function released(state: BreakerState, nowMs: number): BreakerState {
  if (state.openUntil === 0 || nowMs < state.openUntil || state.probeUntil === 0) return state;
  return { ...state, probeUntil: 0 };
}

/** What is left of the cool-down (0 when closed or half-open). */
export function coolDownLeft(state: BreakerState, nowMs: number): number {
  return nowMs < state.openUntil ? state.openUntil - nowMs : 0;
}

/** The state after a failure. */
export function failed(state: BreakerState, nowMs: number, settings: BreakerSettings): BreakerState {
  if (state.openUntil !== 0) {
    if (nowMs < state.openUntil) return state;
    return { failures: state.failures + 1, openUntil: nowMs + settings.coolDownMs, probeUntil: 0 };
  }
  const failures = state.failures + 1;
  if (failures < settings.failureThreshold) return { ...state, failures };
  return { failures, openUntil: nowMs + settings.coolDownMs, probeUntil: 0 };
}
