/**
 * Settling for every routed endpoint: runs after the answer is out. A limits settle still running is
 * counted as in-flight so a graceful stop waits for it; the usage event (with the attempt trail and
 * the fallback flag) is in the outbox's hands at once, and the outbox's stop commits it.
 */
import { errorCode, type GatewayError } from "../../shared/errors/openai-error.ts";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import type { UsageStatus } from "../../shared/usage/usage-event.ts";
import type { ProxyDeps } from "../deps.ts";
import type { RequestContext } from "../pipeline/build-context.ts";
import type { LimitsTicket } from "../pipeline/limits.ts";
import { settle } from "../pipeline/settle.ts";
import type { Trail } from "../providers/walk-chain.ts";

export type Settler = (trail: Trail, usage: NormalizedUsage | null, status: UsageStatus, code: string | null) => void;

export function makeSettler(
  deps: ProxyDeps,
  request: { context: RequestContext; snapshot: Snapshot; alias: string; endpoint: string; stream: boolean; ticket: LimitsTicket },
): Settler {
  return function settleRequest(trail, usage, status, code) {
    const closing = settle({ ...request, region: deps.region, trail, usage, status, errorCode: code }, deps.appendUsage, deps.log);
    if (closing) void closing.finally(deps.inFlight.begin());
  };
}

/** A walk that ended without an answer: settled as client_closed or error, with no usage (nothing to charge). */
export function settleFailure(settleWith: Settler, failure: { trail: Trail; error: GatewayError; clientClosed: boolean }): void {
  settleWith(failure.trail, null, failure.clientClosed ? "client_closed" : "error", failure.clientClosed ? "client_closed" : errorCode(failure.error));
}

/**
 * Runs a route's vendor step so that a throw (a defect, answered as a 500 by the server) still settles
 * the request: its reservation is released at once instead of holding the tenant's budget until it
 * expires, and its usage event is written, marked `error` / `internal_error`.
 */
export async function settlingOnThrow<T>(settleWith: Settler, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    settleWith({ deployment: null, attempts: 0, fallback: false, steps: [] }, null, "error", "internal_error");
    throw error;
  }
}
