/**
 * Step 7, settle: real usage → cost from the snapshot's pricing → close the limits ticket → one usage
 * event in the outbox. Prompts and completions never enter the event.
 */
import { costMicros, ZERO_USAGE, type NormalizedUsage } from "../../shared/money/cost.ts";
import { newId } from "../../shared/ids.ts";
import { priceKey, type Snapshot } from "../../shared/snapshot/schema.ts";
import type { UsageEvent, UsageStatus } from "../../shared/usage/usage-event.ts";
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

/** The cost of a usage under the snapshot's price for the deployment that answered (0 when unpriced). */
export function priceUsage(snapshot: Snapshot, trail: Trail, usage: NormalizedUsage): number {
  if (!trail.deployment) return 0;
  const price = snapshot.pricing[priceKey(trail.deployment.provider, trail.deployment.model)];
  return price ? costMicros(usage, price) : 0;
}

export function buildUsageEvent(input: SettleInput, now = Date.now()): UsageEvent {
  const usage = input.usage ?? { ...ZERO_USAGE };
  const { context, trail } = input;
  return {
    eventId: newId("evt"),
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
    costMicros: priceUsage(input.snapshot, trail, usage),
    latencyMs: Math.max(0, Math.round(now - context.startedMs)),
    status: input.status,
    errorCode: input.errorCode,
    attempts: trail.attempts,
    attemptTrail: trail.steps,
    fallback: trail.fallback,
  };
}

/**
 * Settles limits and appends the event; never throws (a failure is logged: the answer is already out).
 * Resolves once the event is committed (a graceful stop waits for that), but the wait holds only the
 * two ids: the request's context, trail and event are garbage as soon as the event is handed over,
 * instead of living (and being promoted by the GC) for the outbox's group window.
 */
export async function settle(input: SettleInput, append: (event: UsageEvent) => Promise<void>, log: (line: string) => void): Promise<void> {
  const event = buildUsageEvent(input);
  try {
    // A failed call that reported no usage charged nothing: refund the reservation at once.
    if (input.usage === null && input.status !== "ok") await input.ticket.release();
    else await input.ticket.settle(event.usage, event.costMicros);
  } catch (error) {
    log(`request ${event.requestId}: limits settle failed: ${(error as Error).message}`);
  }
  let appended: Promise<void>;
  try {
    appended = append(event);
  } catch (error) {
    appended = Promise.reject(error as Error);
  }
  return committed(appended, event.requestId, event.eventId, log);
}

function committed(appended: Promise<void>, requestId: string, eventId: string, log: (line: string) => void): Promise<void> {
  return appended.catch((error: Error) => log(`request ${requestId}: usage event ${eventId} could not be written: ${error.message}`));
}
