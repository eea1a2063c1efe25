/**
 * What one vendor call ended with, in the terms the executor decides on. The kind, not the status,
 * drives the walk along the chain:
 *
 * | kind                   | same deployment again | next deployment               | breaker told          |
 * | ---------------------- | --------------------- | ----------------------------- | --------------------- |
 * | transient              | yes (backoff)         | yes                           | failure (a 429: none) |
 * | timeout                | yes (backoff)         | yes                           | failure               |
 * | no_credential          | no (no call: skipped) | yes                           | probe slot given back |
 * | deployment_unavailable | no                    | yes                           | failure (wrong_operation: none) |
 * | context_length         | no                    | yes, not of the same model    | success (it answered) |
 * | unusable_answer        | no                    | yes                           | success (it answered) |
 * | credential             | no                    | yes (its own key)             | failure               |
 * | permanent              | no                    | no (fail fast)                | success (it answered) |
 * | unsupported            | no (no call: skipped) | yes                           | probe slot given back |
 * | client_closed          | no                    | no                            | probe slot given back |
 *
 * A 429 is the vendor pacing the gateway, not the deployment being down: the breaker is not told (a
 * probe gives its slot back).
 *
 * A 2xx answer the gateway refuses (a body that fails the adapter's checks, a stream refused before
 * its first chunk) is transient like garbage anywhere, but the vendor billed it: it carries
 * `refusedAnswer`, the walk keeps it on the trail (Trail.refusedCalls), and the request is charged it
 * on top of whatever the walk ends with (pipeline/settle.ts).
 *
 * `unusable_answer` is such a refused answer whose model output could not be used for this request (a
 * tool call the model botched, unusable-answer.ts): billed and refused alike, but the deployment served
 * it, so the breaker hears it answered. It is not retried on the same deployment: the model just failed
 * this prompt and tools and would likely fail them again, each try billed, and a 502 is retried by the
 * caller's SDK anyway; the next deployment (often another model) is the better bet.
 *
 * An embeddings answer whose vectors are all of one length other than the `dimensions` asked
 * (DimensionsNotHonouredError: the model or server ignored the size) is an `unusable_answer` too: the
 * deployment answered, its answer is no answer to this request, and the next deployment of the alias
 * may honour the size (one alias can chain a compatible server that ignores `dimensions` with OpenAI's
 * text-embedding-3-small, which honours it). Its error is the 400 naming `dimensions` the caller gets
 * only when every deployment called or considered answered so (isDimensionsNotHonoured): one that
 * failed otherwise, or was skipped for its open circuit or missing credential, might give the size,
 * and its failure is the answer.
 *
 * `deployment_unavailable` is a vendor 4xx the deployment caused, not the request: its vendor model
 * or deployment is gone, or its account cannot pay (deployment-unavailable.ts); or its model does not
 * do the operation the caller sent (`wrong_operation`), which falls back without a verdict on it.
 * `no_credential` (the region has no such secret) makes no call: like `unsupported`, it spends no
 * attempt and is only a skipped step on the trail. An `unsupported` refusal is the caller's 400 only
 * when the walk ends with nothing else to answer (walk-chain.ts failedWalkError).
 *
 * A retry of the same deployment, like every step, fits in the request's time and attempt budget; a
 * wait for it (backoff or Retry-After) over 1 s moves on at once while another deployment is planned,
 * and comes back to wait it out when none of the later ones could be called (walk-chain.ts
 * MAX_WAIT_WITH_FALLBACK_MS).
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import { CREDENTIAL_REJECTED_REASON } from "./credential-rejected.ts";
import { isDeploymentUnavailable } from "./deployment-unavailable.ts";
import { DimensionsNotHonouredError } from "./dimensions-not-honoured.ts";
import { VendorProtocolError, type VendorError } from "./types.ts";
import { unsupportedParameterReason } from "./unsupported-parameter-reason.ts";
import { UnusableAnswerError } from "./unusable-answer.ts";
import { VendorBodyCutError } from "./vendor-body-cut.ts";
import { VendorStreamError } from "./vendor-stream-error.ts";

export type FailureKind =
  | "transient"
  | "timeout"
  | "no_credential"
  | "deployment_unavailable"
  | "context_length"
  | "unusable_answer"
  | "credential"
  | "permanent"
  | "unsupported"
  | "client_closed";

export interface AttemptFailure {
  ok: false;
  kind: FailureKind;
  error: GatewayError;
  /** The vendor's Retry-After, when it gave one. */
  retryAfterMs: number | null;
  /** Short, credential-free reason for logs and the attempt trail. */
  reason: string;
  /**
   * The vendor answered 2xx and the gateway refused the answer (invalid_response): unlike an error
   * answer, a call the vendor billed. Carries the usage it reported, null when none was usable.
   */
  refusedAnswer?: RefusedAnswer;
  /**
   * A 2xx stream left without an answer (timed out, the client gone, its connection cut) before its first chunk, after its
   * vendor had reported usage (Anthropic's message_start: the prompt's input, cache reads and writes):
   * what it reported, which the call is charged rather than the prompt estimate.
   */
  reportedSoFar?: NormalizedUsage;
  /** An error answer its vendor bills for the prompt (VendorError.billedPrompt: Azure's content filter). */
  billedPrompt?: true;
  /**
   * The vendor answered 2xx and the connection failed while its answer was read (VendorBodyCutError,
   * whatever the framing; a stream before its first chunk): it worked on the prompt, so the call is
   * charged as one left unanswered is, with what its stream reported so far (`reportedSoFar`).
   */
  answerCut?: true;
}

export interface RefusedAnswer {
  reportedUsage: NormalizedUsage | null;
}

export type AttemptOutcome<T> = { ok: true; value: T } | AttemptFailure;

export const CLIENT_CLOSED: AttemptFailure = { ok: false, kind: "client_closed", error: { kind: "upstream_error", message: "client closed" }, retryAfterMs: null, reason: "client_closed" };

/** An HTTP error answer, as the adapter classified it. */
export function fromVendorError(verdict: VendorError): AttemptFailure {
  const kind: FailureKind =
    verdict.reason === CREDENTIAL_REJECTED_REASON ? "credential"
    : isDeploymentUnavailable(verdict.reason) ? "deployment_unavailable"
    : verdict.reason === "context_length" ? "context_length"
    : verdict.retryable ? "transient"
    : "permanent";
  return { ok: false, kind, error: verdict.clientError, retryAfterMs: verdict.retryAfterMs, reason: verdict.reason, ...(verdict.billedPrompt ? { billedPrompt: true as const } : {}) };
}

/**
 * A thrown fetch/read error: the client left, a timer fired, the vendor sent an error event in its
 * stream before the first chunk (classified like the HTTP error it stands for), the bytes were
 * garbage, or the network failed. Garbage in a 2xx answer (`answered`), not in an error answer's
 * body, is a refused answer the vendor billed (`refusedAnswer`); a 2xx answer the connection cut is
 * `answerCut`, whatever its framing.
 */
export function fromThrown(error: unknown, state: { clientClosed: boolean; timedOut: "first_byte" | "total" | null }, answered = false): AttemptFailure {
  if (state.clientClosed) return CLIENT_CLOSED;
  if (state.timedOut) {
    return { ok: false, kind: "timeout", error: { kind: "upstream_timeout", message: "The model provider did not answer in time." }, retryAfterMs: null, reason: `timeout_${state.timedOut}` };
  }
  if (error instanceof VendorStreamError) return fromVendorError(error.vendorError);
  if (error instanceof VendorBodyCutError && answered) {
    return { ok: false, kind: "transient", error: { kind: "upstream_error", message: "The model provider's answer was cut off." }, retryAfterMs: null, reason: "answer_cut", answerCut: true };
  }
  if (error instanceof VendorProtocolError || error instanceof SyntaxError) {
    const failure: AttemptFailure = { ok: false, kind: "transient", error: { kind: "upstream_invalid_response", message: "The model provider sent an invalid response." }, retryAfterMs: null, reason: "invalid_response" };
    if (!answered) return failure;
    if (error instanceof DimensionsNotHonouredError) {
      return { ok: false, kind: "unusable_answer", error: error.clientError(), retryAfterMs: null, reason: DIMENSIONS_NOT_HONOURED_REASON, refusedAnswer: { reportedUsage: error.reportedUsage } };
    }
    const kind: FailureKind = error instanceof UnusableAnswerError ? "unusable_answer" : "transient";
    return { ...failure, kind, refusedAnswer: { reportedUsage: error instanceof VendorProtocolError ? error.reportedUsage : null } };
  }
  return { ok: false, kind: "transient", error: { kind: "upstream_error", message: "The model provider could not be reached." }, retryAfterMs: null, reason: "network" };
}

const DIMENSIONS_NOT_HONOURED_REASON = unsupportedParameterReason("dimensions");

/**
 * An embeddings answer not of the `dimensions` asked (DimensionsNotHonouredError): its 400 tells the
 * caller no deployment gives the size, which only this one said. The walk answers it only when no
 * deployment that might have given the size failed otherwise (walk-chain.ts).
 */
export function isDimensionsNotHonoured(failure: AttemptFailure): boolean {
  return failure.kind === "unusable_answer" && failure.reason === DIMENSIONS_NOT_HONOURED_REASON;
}

/**
 * Whether a failed call is charged as one the vendor got and left unanswered (walk-chain.ts
 * Trail.unansweredCalls: what its stream reported so far, else the prompt estimate): it timed out or
 * its client left, its answer was cut (`answerCut`), or its error answer is billed (`billedPrompt`).
 */
export function chargedAsUnanswered(failure: AttemptFailure): boolean {
  return failure.kind === "timeout" || failure.kind === "client_closed" || failure.billedPrompt === true || failure.answerCut === true;
}
