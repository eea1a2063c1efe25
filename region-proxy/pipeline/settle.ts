/**
 * Step 7, settle: real usage → cost from the snapshot's pricing → close the limits ticket → one usage
 * event handed to the outbox. Prompts and completions never enter the event.
 *
 * A request is charged every vendor call its vendors billed: the call that answered priced at its
 * deployment, plus each 2xx answer the gateway refused on the way (Trail.refusedCalls), each priced at
 * ITS deployment, with the usage its vendor reported in it, else the prompt estimate for that
 * deployment's model, and each call left without an answer (Trail.unansweredCalls: it timed out, or
 * the client left, or its vendor refused the prompt with an error it bills: Azure's content filter), wherever it was in the walk, with the usage its stream had reported before it was
 * left (Anthropic's message_start), else the prompt estimate for its deployment. The
 * event's `usage` is the sum of those calls' tokens (class by class), its `costMicros` the sum of their
 * costs, and the limits ticket settles with both sums, so budgets and TPM count what the vendors
 * invoice. Each call is priced and rounded on its own, as each vendor bills it.
 */
import { costMicros, ZERO_USAGE, type NormalizedUsage, type Price } from "../../shared/money/cost.ts";
import { newId } from "../../shared/ids.ts";
import { priceKey, type Snapshot, type SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import type { UsageEvent, UsageStatus } from "../../shared/usage/usage-event.ts";
import { notWritten } from "../outbox/outbox-thread.ts";
import type { Trail } from "../providers/execute.ts";
import { usageSoFar } from "../providers/vendor-stream.ts";
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
  /**
   * The prompt tokens a call to a vendor model was sent, as the reservation counted them: what a
   * refused call that reported no usable usage, or a call left without an answer, is charged. A count
   * when it does not depend on the model (embeddings' precounted input).
   */
  promptEstimate: PromptEstimate;
  /**
   * Told when the deployment the event is about (the trail's, once called) has no price in the
   * snapshot, so it was charged 0: the price is looked up once, here, for the charge and for this.
   */
  onUnpriced?: (deployment: SnapshotDeployment) => void;
}

export type PromptEstimate = number | ((vendorModel: string) => number);

/** Hands a settled request's event on (to the metrics and the outbox), with its charges by deployment. */
export type AppendUsage = (event: UsageEvent, byDeployment: DeploymentCharge[] | null) => void;

/** The snapshot's price for a deployment (undefined when unpriced or none). */
function priceOf(snapshot: Snapshot, deployment: SnapshotDeployment | null): Price | undefined {
  return deployment ? snapshot.pricing[priceKey(deployment.provider, deployment.model)] : undefined;
}

/** The charge for a usage under the snapshot's price for a deployment (0 when unpriced or none), rounded by the event's id. */
function priceUsage(price: Price | undefined, usage: NormalizedUsage, eventId: string): number {
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

/** What one deployment's calls of a request were charged: its usage and cost. */
export interface DeploymentCharge {
  deploymentId: string;
  usage: NormalizedUsage;
  costMicros: number;
}

/**
 * The usage event, and, for a request charged for more calls than its answer (a refused 2xx answer, a
 * call left without an answer), what each call was charged (`byDeployment`, null otherwise: then the
 * event's usage and cost are all its own deployment's).
 */
export function buildUsageEvent(input: SettleInput, now = Date.now()): { event: UsageEvent; byDeployment: DeploymentCharge[] | null; unpriced: boolean } {
  const { context, trail } = input;
  const eventId = newId("evt");
  let usage = input.usage ?? { ...ZERO_USAGE };
  const price = priceOf(input.snapshot, trail.deployment);
  let cost = priceUsage(price, usage, eventId);
  let byDeployment: DeploymentCharge[] | null = null;
  // Only a request with such calls pays for the sums: the others keep the usage they were given.
  if (trail.refusedCalls !== undefined || trail.unansweredCalls !== undefined) {
    byDeployment = trail.deployment === null ? [] : [{ deploymentId: trail.deployment.id, usage, costMicros: cost }];
    usage = { ...usage };
    const charge = (deployment: SnapshotDeployment, billed: NormalizedUsage) => {
      const billedCost = priceUsage(priceOf(input.snapshot, deployment), billed, eventId);
      addUsage(usage, billed);
      cost += billedCost;
      byDeployment!.push({ deploymentId: deployment.id, usage: billed, costMicros: billedCost });
    };
    for (const call of trail.refusedCalls ?? []) charge(call.deployment, call.reportedUsage ?? promptOnly(input.promptEstimate, call.deployment));
    // A call left unanswered after its vendor reported usage (Anthropic's message_start) is charged that
    // usage, completed as a stream cut short is (usageSoFar: nothing streamed yet).
    for (const call of trail.unansweredCalls ?? []) charge(call.deployment, call.reportedUsage === null ? promptOnly(input.promptEstimate, call.deployment) : usageSoFar(call.reportedUsage, estimateFor(input.promptEstimate, call.deployment.model), 0));
  }
  const event: UsageEvent = {
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
    costMicros: cost,
    latencyMs: Math.max(0, Math.round(now - context.startedMs)),
    status: input.status,
    errorCode: eventErrorCode(input.errorCode),
    attempts: trail.attempts,
    attemptTrail: trail.steps,
    fallback: trail.fallback,
  };
  return { event, byDeployment, unpriced: price === undefined && trail.deployment !== null && trail.attempts > 0 };
}

/**
 * Settles limits and hands the event to the outbox; never throws (a failure is logged: the answer is
 * already out). The event is handed over at once: from then on the outbox owns it, commits it, and
 * logs any event it could not write, so the request holds no promise or callback for the outbox's
 * group window (at 10,000 requests/s, 1,000 of them and the objects they keep would outlive each young
 * collection). What it returns is the limits settle still running, for a graceful stop to wait for
 * (null when the ticket touched no counter); the outbox's own stop commits every event handed to it.
 */
export function settle(input: SettleInput, append: AppendUsage, log: (line: string) => void): Promise<void> | null {
  const { event, byDeployment, unpriced } = buildUsageEvent(input);
  let closing: Promise<void> | null = null;
  try {
    // A failed walk that left no usage and no call to charge charged nothing: refund the reservation at once.
    const chargedNothing = input.usage === null && input.status !== "ok" && input.trail.refusedCalls === undefined && input.trail.unansweredCalls === undefined;
    closing = chargedNothing ? input.ticket.release() : input.ticket.settle(event.usage, event.costMicros);
  } catch (error) {
    logLimitsFailure(log, event.requestId, error);
  }
  try {
    append(event, byDeployment);
  } catch (error) {
    log(notWritten(event.requestId, event.eventId, (error as Error).message));
  }
  if (unpriced) input.onUnpriced?.(input.trail.deployment!);
  return closing ? closing.catch((error: unknown) => logLimitsFailure(log, event.requestId, error)) : null;
}

/** The prompt estimate for a call to `vendorModel`. */
export function estimateFor(estimate: PromptEstimate, vendorModel: string): number {
  return typeof estimate === "number" ? estimate : estimate(vendorModel);
}

/** A call charged its prompt estimate alone: the prompt its deployment's model was sent, no output. */
function promptOnly(estimate: PromptEstimate, deployment: SnapshotDeployment): NormalizedUsage {
  return { ...ZERO_USAGE, inputTokens: estimateFor(estimate, deployment.model) };
}

/** Adds `more` into `sum`, token class by token class. */
function addUsage(sum: NormalizedUsage, more: NormalizedUsage): void {
  sum.inputTokens += more.inputTokens;
  sum.outputTokens += more.outputTokens;
  sum.cachedInputTokens += more.cachedInputTokens;
  sum.cacheWriteTokens += more.cacheWriteTokens;
  sum.reasoningTokens += more.reasoningTokens;
}

function logLimitsFailure(log: (line: string) => void, requestId: string, error: unknown): void {
  log(`request ${requestId}: limits settle failed: ${(error as Error).message}`);
}
