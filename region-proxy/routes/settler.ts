/**
 * Settling for every routed endpoint: runs after the answer is out. A limits settle still running is
 * counted as in-flight so a graceful stop waits for it; the usage event (with the attempt trail and
 * the fallback flag) is in the outbox's hands at once, and the outbox's stop commits it.
 */
import { errorCode, type GatewayError } from "../../shared/errors/openai-error.ts";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { Snapshot, SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import type { AttemptTrailEntry, UsageStatus } from "../../shared/usage/usage-event.ts";
import type { ProxyDeps } from "../deps.ts";
import type { RequestContext } from "../pipeline/build-context.ts";
import type { LimitsTicket } from "../pipeline/limits.ts";
import { settle, type PromptEstimate } from "../pipeline/settle.ts";
import { CLIENT_CLOSED } from "../providers/attempt-outcome.ts";
import type { Trail } from "../providers/walk-chain.ts";

export type Settler = (trail: Trail, usage: NormalizedUsage | null, status: UsageStatus, code: string | null) => void;

export function makeSettler(
  deps: ProxyDeps,
  request: { context: RequestContext; snapshot: Snapshot; alias: string; endpoint: string; stream: boolean; ticket: LimitsTicket; promptEstimate: PromptEstimate },
): Settler {
  // Settling looks the answering deployment's price up for its charge, and says when there is none.
  const onUnpriced = (deployment: SnapshotDeployment) => reportUnpriced(deps, request.snapshot, deployment);
  return function settleRequest(trail, usage, status, code) {
    const closing = settle({ ...request, region: deps.region, trail, usage, status, errorCode: code, onUnpriced }, deps.appendUsage, deps.log);
    if (closing) void closing.finally(deps.inFlight.begin());
  };
}

/**
 * A request under no budget served by a deployment the snapshot has no price for (a budgeted one never
 * reaches it: pipeline/priced-targets.ts): charged 0, so counted, and logged once per deployment and snapshot.
 */
function reportUnpriced(deps: ProxyDeps, snapshot: Snapshot, deployment: SnapshotDeployment): void {
  if (!deps.metrics.servedUnpriced(deployment.id, snapshot.version)) return;
  deps.log(`deployment ${deployment.id} (${deployment.provider}:${deployment.model}) has no price in snapshot version ${snapshot.version}: requests under no budget are served there and charged 0; budgeted ones skip it`);
}

/** The code (and attempt-trail reason) of work the proxy's stop ended: the gateway's doing, not the client's. */
export const SHUTTING_DOWN: GatewayError = { kind: "shutting_down" };
const SHUTTING_DOWN_CODE = errorCode(SHUTTING_DOWN);

/**
 * A walk the proxy's stop ended (InFlight.cut: the grace period is over, or a second signal came)
 * ends as one whose client left (the stop's cut signal is watched beside the client's, walk-options.ts);
 * its client is still there, though. Such a failure becomes a 503 shutting_down (Retry-After: the client retries, elsewhere),
 * settled as `error` / `shutting_down`, its last call's step saying so; any other failure is returned as is.
 * A request the forced close reached first (still being admitted when the cut came: its walk then
 * starts with its client's signal aborted) is the stop's doing too, though its client sees a reset.
 */
export function cutByStop<F extends { error: GatewayError; clientClosed: boolean; trail: Trail }>(failure: F, signals: { client: AbortSignal; cut: AbortSignal }): F {
  // Once the stop has cut, the forced close that follows aborts the client's signal too: the cut wins,
  // as it does for a stream (stream-response.ts), so a request the stop ended is never blamed on its client.
  if (!failure.clientClosed || (signals.client.aborted && !signals.cut.aborted)) return failure;
  const last = lastCall(failure.trail);
  if (last?.reason === CLIENT_CLOSED.reason) last.reason = SHUTTING_DOWN_CODE;
  return { ...failure, error: SHUTTING_DOWN, clientClosed: false };
}

/**
 * A walk that ended without an answer: settled as client_closed or error, with no usage of its own.
 * What its vendors billed is on the trail and charged by settle (pipeline/settle.ts), each call once:
 * every call the vendor got and left without an answer (Trail.unansweredCalls: the client left while
 * it ran, the proxy's stop cut it, or it timed out, the last call or any before it) at its prompt
 * estimate for its deployment, or the usage its stream had reported (Anthropic's message_start), as a
 * stream cut short is, so a loop of "send, disconnect" cannot spend
 * under any cap for nothing (so is a prompt Azure's content filter refused, which Azure bills); and
 * every 2xx answer the gateway refused (Trail.refusedCalls). A walk with neither (it never called a
 * vendor, or every call was answered with an error its vendor does not bill) charges nothing:
 * its reservation is released.
 */
export function settleFailure(settleWith: Settler, failure: { trail: Trail; error: GatewayError; clientClosed: boolean }): void {
  settleWith(failure.trail, null, failure.clientClosed ? "client_closed" : "error", failure.clientClosed ? "client_closed" : errorCode(failure.error));
}

/** The trail's last vendor call (skipped deployments are no call), if any. */
function lastCall(trail: Trail): AttemptTrailEntry | undefined {
  for (let i = trail.steps.length - 1; i >= 0; i--) if (trail.steps[i]!.outcome !== "skipped") return trail.steps[i];
  return undefined;
}

/**
 * Settles a request whose vendor step threw (a defect, answered as a 500 by the server): its reservation
 * is released at once instead of holding the tenant's budget until it expires, and its usage event is
 * written, marked `error` / `internal_error`. The caller rethrows.
 */
export function settleThrown(settleWith: Settler): void {
  settleWith({ deployment: null, attempts: 0, fallback: false, steps: [] }, null, "error", "internal_error");
}

/** Runs a route's vendor step so that a throw still settles the request (settleThrown). */
export async function settlingOnThrow<T>(settleWith: Settler, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    settleThrown(settleWith);
    throw error;
  }
}
