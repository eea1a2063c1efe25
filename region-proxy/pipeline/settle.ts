/**
 * Step 7, settle: real usage → cost from the snapshot's pricing → close the limits ticket → one usage
 * event handed to the outbox. Prompts and completions never enter the event.
 */
import { costMicros, ZERO_USAGE, type NormalizedUsage } from "../../shared/money/cost.ts";
import { newId } from "../../shared/ids.ts";
import { priceKey, type Snapshot } from "../../shared/snapshot/schema.ts";
import type { UsageEvent, UsageStatus } from "../../shared/usage/usage-event.ts";
import { notWritten } from "../outbox/outbox-thread.ts";
import type { Trail } from "../providers/execute.ts";
import type { RequestContext } from "./build-context.ts";
import type { LimitsTicket } from "./limits.ts";

export interface SettleInput {
  context: RequestContext;
  snapshot: Snapshot;
  region: string;
  alias: string;
  endpoint: string;
  stream: boolean;
  trail: Trail;
  usage: NormalizedUsage | null;
  status: UsageStatus;
  errorCode: string | null;
  ticket: LimitsTicket;
}

/** The charge for a usage under the snapshot's price for the deployment that answered (0 when unpriced), rounded by the event's id. */
export function priceUsage(snapshot: Snapshot, trail: Trail, usage: NormalizedUsage, eventId: string): number {
  if (!trail.deployment) return 0;
  const price = snapshot.pricing[priceKey(trail.deployment.provider, trail.deployment.model)];
  return price ? costMicros(usage, price, eventId) : 0;
}

/**
 * The longest error code an event carries. A `vendor_rejected` code is the vendor's own, with no bound
 * of its own: one vendor answer with a megabyte of code would make every batch holding its event too
 * large for the control plane, and the outbox would resend that batch forever.
 */
export const MAX_EVENT_ERROR_CODE_CHARS = 64;

/**
 * An error code as an event carries it: at most 64 characters of A-Z a-z 0-9 . _ : - (anything else a
 * vendor put in its code, a NUL or half an emoji included, becomes "_"), so the control plane can
 * always store the event.
 */
export function eventErrorCode(code: string | null): string | null {
  return code === null ? null : code.slice(0, MAX_EVENT_ERROR_CODE_CHARS).replace(/[^A-Za-z0-9._:-]/g, "_");
}

export function buildUsageEvent(input: SettleInput, now = Date.now()): UsageEvent {
  const usage = input.usage ?? { ...ZERO_USAGE };
  const { context, trail } = input;
  const eventId = newId("evt");
  return {
    eventId,
    time: context.receivedAt,
    requestId: context.requestId,
    region: input.region,
    snapshotVersion: context.snapshotVersion,
    tenantId: context.tenant.id,
    keyId: context.key.id,
    featureId: context.featureId,
    alias: input.alias,
    endpoint: input.endpoint,
    provider: trail.deployment?.provider ?? null,
    deploymentId: trail.deployment?.id ?? null,
    vendorModel: trail.deployment?.model ?? null,
    stream: input.stream,
    usage,
    costMicros: priceUsage(input.snapshot, trail, usage, eventId),
    latencyMs: Math.max(0, Math.round(now - context.startedMs)),
    status: input.status,
    errorCode: eventErrorCode(input.errorCode),
    attempts: trail.attempts,
    attemptTrail: trail.steps,
    fallback: trail.fallback,
  };
}

/**
 * Settles limits and hands the event to the outbox; never throws (a failure is logged: the answer is
 * already out). The event is handed over at once: from then on the outbox owns it, commits it, and
 * logs any event it could not write, so the request holds no promise or callback for the outbox's
 * group window (at 10,000 requests/s, 1,000 of them and the objects they keep would outlive each young
 * collection). What it returns is the limits settle still running, for a graceful stop to wait for
 * (null when the ticket touched no counter); the outbox's own stop commits every event handed to it.
 */
export function settle(input: SettleInput, append: (event: UsageEvent) => void, log: (line: string) => void): Promise<void> | null {
  const event = buildUsageEvent(input);
  let closing: Promise<void> | null = null;
  try {
    // A failed call that reported no usage charged nothing: refund the reservation at once.
    closing = input.usage === null && input.status !== "ok" ? input.ticket.release() : input.ticket.settle(event.usage, event.costMicros);
  } catch (error) {
    logLimitsFailure(log, event.requestId, error);
  }
  try {
    append(event);
  } catch (error) {
    log(notWritten(event.requestId, event.eventId, (error as Error).message));
  }
  return closing ? closing.catch((error: unknown) => logLimitsFailure(log, event.requestId, error)) : null;
}

function logLimitsFailure(log: (line: string) => void, requestId: string, error: unknown): void {
  log(`request ${requestId}: limits settle failed: ${(error as Error).message}`);
}
