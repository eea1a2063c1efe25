/**
 * In-process CircuitBreaker (one replica, or no Redis): same state machine as the Redis breaker.
 */
import { attempt, CLOSED, coolDownLeft, failed, released, type BreakerState } from "./breaker-state.ts";
import { breakerSettings, type BreakerOptions, type CircuitBreaker } from "./breaker-types.ts";

/** Creates a breaker whose state lives in this instance only. */
export function createMemoryBreaker(options: BreakerOptions = {}): CircuitBreaker {
  const settings = breakerSettings(options);
  const states = new Map<string, BreakerState>();
  return {
    canAttempt(depId, nowMs = Date.now()) {
      const { allowed, next } = attempt(states.get(depId) ?? CLOSED, depId, nowMs, settings);
      if (next !== CLOSED) states.set(depId, next);
      return allowed;
    },
    onSuccess(depId) {
      states.delete(depId);
    },
    onFailure(depId, nowMs = Date.now()) {
      states.set(depId, failed(states.get(depId) ?? CLOSED, nowMs, settings));
    },
    releaseProbe(depId, nowMs = Date.now()) {
      const state = states.get(depId);
      if (state) states.set(depId, released(state, nowMs));
    },
    coolDownLeftMs(depId, nowMs = Date.now()) {
      const state = states.get(depId);
      return state ? coolDownLeft(state, nowMs) : 0;
    },
  };
}
