/**
 * Walks an alias's planned chain for one request: the ONE loop that owns retries, fallback, the
 * attempt budget, backoff, Retry-After, the circuit breaker and the attempt trail. What differs
 * between operations (chat, stream, embeddings) is only how the vendor request is built and how a
 * 2xx answer is read (`Operation`).
 *
 * - One attempt budget (`maxAttempts`) covers retries and fallbacks together; a retry is taken at once
 *   only with an attempt to spare once every deployment still planned has one (so [503, 503, healthy]
 *   with a budget of 4 answers from the third deployment, not 502 after two retries), and otherwise
 *   owed: taken after the rest of the chain, while the budget lasts (so [503 then ok, circuit open,
 *   circuit open, circuit open] still answers from the first).
 * - A vendor's error is judged by what it says, wherever it came: an HTTP error answer, or an error
 *   event in a stream before its first chunk reached the client (vendor-stream-error.ts), are
 *   classified alike; after that chunk a stream is committed and ends with an error frame instead.
 * - A transient failure (408, 429, 5xx, a vendor's own 499, network, garbage, a timeout) retries the same deployment once after
 *   a full-jitter backoff, or after the vendor's Retry-After when it gave one; a wait as long as the
 *   deployment's own total, or one after which too little time is left for a call that could answer
 *   (retry-fits.ts), is not waited for (the caller is told a vendor's wait), and one longer than
 *   MAX_WAIT_WITH_FALLBACK_MS while another deployment is planned skips to the next deployment at once
 *   (the walk comes back for the rest of the wait when none of the later ones could be called: circuit
 *   open, a parameter it refuses). A timed-out call is not retried at once while another deployment is
 *   planned: the walk comes back to it after the rest of the chain, while attempts and time are left.
 *   A vendor's 429 is it pacing the gateway, not the deployment being down: the breaker is not told.
 * - A missing credential moves on without retrying the same deployment.
 * - A context-length refusal moves on (a later deployment may have a larger window), skipping later
 *   deployments of the same vendor model (same-window.ts: the same window). When no deployment
 *   answers, that refusal is the caller's answer (400 context_length_exceeded) in place of a later
 *   failure that would invite a retry (5xx, 429, a timeout, a deployment unavailable, open circuits):
 *   the prompt is too long for a deployment that did answer, and a retryable answer would have the SDK
 *   send it down the whole chain again. A later deployment's caller error that ended the walk (a 400
 *   about an image URL from the larger model, which read the prompt) stays the answer: it says what
 *   the caller can fix.
 * - An answer whose model output cannot be used for this request (a tool call the model botched,
 *   unusable-answer.ts; embeddings not of the `dimensions` asked, dimensions-not-honoured.ts) moves on
 *   without a retry, and tells the breaker the deployment answered. Embeddings not of the `dimensions`
 *   asked are the caller's answer (400 naming `dimensions`: no deployment gives the size) only when
 *   every deployment called or considered answered so: a deployment whose last call failed otherwise
 *   (5xx, 429, a timeout, a connection error, a refused key, its model gone) or that was skipped for its open circuit
 *   or missing credential might have given the size, and its failure is the answer (the trail, so the
 *   answer's headers and usage event, naming the deployment that failed), as the walk would answer it
 *   without that refusal (a deployment that does not do the operation, refuses a parameter
 *   or is no longer allowed for the request could not have).
 * - A caller's 4xx or a refused gateway credential fail fast. A deployment whose vendor or model
 *   cannot take the request as asked (a parameter it cannot honour, one of its media limits: its
 *   adapter refuses before the call) is skipped wherever it stands in the chain, the first included:
 *   no call, no attempt spent, no breaker verdict, and the next deployment (another vendor) may take
 *   it. The first such refusal is the caller's answer (a 400 naming the parameter) only when nothing
 *   else is: no deployment called failed, none that would take the request (its request build does
 *   not refuse it too) was skipped for its open circuit or missing credential.
 * - The breaker is asked right before each call and told every outcome that says something about
 *   the deployment's health (an answer the request was at fault for says it is up); a probe that ends
 *   without a verdict (the client left, nothing was sent) gives its half-open slot back. Every breaker
 *   call the walk waits for is bounded by the time the request has left, and the deadline is checked
 *   again once the breaker answered, so a hung breaker store cannot hold a request; what is told once
 *   the deadline has passed is sent without waiting. A stream's verdict is how it ends, not its first
 *   chunk (CallEnding): a stream that breaks later, or stalls until its time runs out, counts as a
 *   failure, one still sending when its time runs out as none (a long answer), and so does one ended
 *   by the vendor's rate-limit error event (the vendor pacing the gateway, as its 429 before the first
 *   chunk is), and a half-open probe holds its slot until its stream is over. When every deployment was
 *   skipped for its open circuit, the caller gets a 503 whose Retry-After is the soonest end of a
 *   cool-down.
 * - Every 2xx answer the gateway refused on the way is kept on the trail (Trail.refusedCalls): the
 *   vendor billed each, whatever the walk ends with, so the request is charged each (pipeline/settle.ts).
 *   So is every call the vendor got and never answered, because it timed out, the client left or the
 *   connection cut its 2xx answer (attempt-outcome.ts chargedAsUnanswered), and every error answer its vendor bills for the prompt (VendorError.billedPrompt: Azure's content filter)
 *   (Trail.unansweredCalls): the vendor worked on the prompt, whether or not a retry or fallback answered.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { AttemptTrailEntry } from "../../shared/usage/usage-event.ts";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import type { CredentialResolver } from "../credentials/resolve-credential.ts";
import type { PlannedTarget } from "../pipeline/plan-route.ts";
import type { AttemptRecheck } from "../pipeline/residency-recheck.ts";
import type { SkippedTarget } from "../pipeline/priced-targets.ts";
import { isThenable } from "../../shared/is-thenable.ts";
import { askCanAttempt, askHealth, releaseProbe } from "./ask-health.ts";
import { chargedAsUnanswered, CLIENT_CLOSED, fromThrown, fromVendorError, isDimensionsNotHonoured, type AttemptFailure, type AttemptOutcome } from "./attempt-outcome.ts";
import { DEFAULT_BACKOFF, fullJitterMs, type BackoffOptions } from "./backoff.ts";
import { callEnding, failureVerdict, NO_ENDING, type CallEnding } from "./call-ending.ts";
import { errorBodyWaitMs, readErrorBody } from "./read-error-body.ts";
import { cutShortByRequest } from "./cut-short-by-request.ts";
import { notApiResponse } from "./not-api-response.ts";
import { firstByteBudgetMs, retryFits, type CallBudget } from "./retry-fits.ts";
import { textWithoutCredential, withoutCredential, type Redactor } from "../credentials/redact-credential.ts";
import type { DeploymentHealth } from "./deployment-health.ts";
import { isCallerChosenOperation } from "./deployment-unavailable.ts";
import { SAME_WINDOW_TOO_LONG, sameWindow } from "./same-window.ts";
import { UnsupportedParameterError, unsupportedParameterToGatewayError } from "./unsupported-parameter.ts";
import { unsupportedParameterReason } from "./unsupported-parameter-reason.ts";
import type { VendorHttpRequest, VendorOperation } from "./types.ts";
import { startVendorCall, type StopCut, type VendorCall } from "./vendor-call.ts";
import { isVendorRateLimit, limitTypeOf, vendorRateLimited } from "./vendor-rate-limit.ts";

export interface Trail {
  /**
   * The deployment that answered, or the one whose failure the caller is told: the last one tried,
   * unless the walk answers an earlier failure in place of a later one (a context-length refusal, or a
   * failure that might have given the `dimensions` a later deployment refused).
   */
  deployment: SnapshotDeployment | null;
  /** Vendor calls made. */
  attempts: number;
  /**
   * True when the answer (or last try) did not come from the alias's first planned deployment, one left
   * out before the walk included (WalkOptions.skipped): the usage event's `fallback`.
   */
  fallback: boolean;
  /** Every call and skipped deployment in order, for the usage event. */
  steps: AttemptTrailEntry[];
  /**
   * Every vendor call of the walk that answered 2xx with an answer the gateway refused, in order: the
   * vendor billed each, so the request is charged each on top of its answer, whether a retry or
   * fallback then answered or the walk ended there (pipeline/settle.ts). Undefined until the first
   * one, so a request without one allocates nothing for it. Internal: the usage event's trail names
   * only the reason (invalid_response), as for garbage in an error answer, which bills nothing.
   */
  refusedCalls?: RefusedCall[];
  /**
   * Every vendor call of the walk left without an answer, in order: it timed out (first byte or total)
   * or the client left (or the proxy's stop cut it) while it ran; or answered with an error its vendor
   * bills for the prompt (VendorError.billedPrompt: Azure's content filter refusal, as an HTTP 400 or
   * an error event before the stream's first chunk). The vendor got the prompt and worked
   * on it, so each is charged at its own deployment (pipeline/settle.ts) the usage its stream had
   * reported before it was left (Anthropic's message_start), else its prompt estimate, the walk's last
   * call as much as one a retry or fallback followed. Undefined until the first one, as `refusedCalls`.
   */
  unansweredCalls?: UnansweredCall[];
}

/** One call left without an answer: where it went, and the usage its 2xx stream had reported (null: none). */
export interface UnansweredCall {
  deployment: SnapshotDeployment;
  reportedUsage: NormalizedUsage | null;
}

/** One refused 2xx call: where it went, and the usage the vendor reported in it (null when none was usable). */
export interface RefusedCall {
  deployment: SnapshotDeployment;
  reportedUsage: NormalizedUsage | null;
}

export interface WalkOptions {
  /** Proxy defaults; a deployment's `timeouts` override them. */
  firstByteMs: number;
  /**
   * The proxy's default total for one call (VENDOR_TOTAL_TIMEOUT_MS), for a deployment without its own
   * `timeouts.totalMs`. The whole request's deadline, every attempt and wait included, is the sum of
   * the planned deployments' totals (requestTotalMs).
   */
  totalMs: number;
  /** One budget for retries and fallbacks together (default 4). */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  resolveCredential: CredentialResolver;
  health: DeploymentHealth;
  /**
   * The name of the circuit a deployment's calls count against (the key every `health` call takes):
   * in the proxy, its id and what it calls (breaker/circuit-key.ts), so a repointed deployment
   * starts closed.
   */
  circuitOf: (deployment: SnapshotDeployment) => string;
  clientSignal: AbortSignal;
  /**
   * The proxy's stop (InFlight): its cut past the grace period ends the walk and its call as the
   * client's leaving does. Watched beside `clientSignal`, not joined with it (an AbortSignal.any per
   * request cost ~2 us, more than the rest of the call's own set-up); a running call is registered in
   * its `vendorCalls` (vendor-call.ts StopCut).
   */
  stop?: StopCut;
  log: (line: string) => void;
  /** For log lines. */
  label: string;
  /**
   * Asked right before each vendor call (the first, a retry, a fallback): a reason skips the deployment
   * uncalled (the snapshot held now removed it, or its residency rule no longer allows it for this
   * request: pipeline/residency-recheck.ts), and the walk's answer is `answer()` when no call failed;
   * one that refuses the request itself (`requestRefused()`: its key) ends the walk with that answer.
   */
  recheck?: AttemptRecheck;
  /**
   * Planned deployments left out before the walk (unpriced under a budget): the trail names each as
   * skipped where the walk passes its place in the chain (SkippedTarget.before), and one that was the
   * alias's first makes every answer a fallback.
   */
  skipped?: readonly SkippedTarget[];
}

/**
 * How one operation talks to a deployment; `read` owns the call once it returned a 2xx, and runs any
 * error that carries vendor text and outlives the attempt (a stream's later failure) through `redact`,
 * and any raw vendor text it classifies or cuts (an error event's data) through `redactText` first.
 */
export interface Operation<T> {
  /** What the call asks the vendor for (absent: chat), as its error answers are classified (ProviderAdapter.classifyError). */
  kind?: VendorOperation;
  build(target: PlannedTarget, credential: string): VendorHttpRequest;
  read(call: VendorCall, target: PlannedTarget, redact: Redactor, redactText: (text: string) => string, ending: CallEnding): Promise<T>;
  /**
   * `read` hands back a stream still reading from the vendor: the deployment's verdict is how that
   * stream ends, told through `ending`, not that `read` returned. Otherwise a read that returned is
   * the deployment's success and `ending` is ignored.
   */
  verdictAtEnd?: boolean;
  /**
   * The vendor answers at once and then streams: the deployment's first-byte timeout bounds the wait
   * for its first event. Otherwise (a non-streamed answer, whose headers come once it is whole, which
   * may take minutes) only the deployment's total bounds it: neither `firstByteMs` nor `connectMs`
   * (Bun's fetch reports no "connected" event, and a wait for headers bounded by a connect timeout
   * cut every answer that took longer to generate, then called the vendor again); LiteLLM's
   * `stream_timeout` likewise applies to streams only.
   */
  firstByteBound: boolean;
}

export type WalkResult<T> = { ok: true; value: T; trail: Trail } | { ok: false; error: GatewayError; clientClosed: boolean; trail: Trail };

const RETRIES_PER_DEPLOYMENT = 1;
/** An error answer is read for its message: only this much of it (read-error-body.ts), the rest is cancelled. */
const MAX_ERROR_BODY_BYTES = 1024 * 1024;
const DEFAULT_MAX_ATTEMPTS = 4;
/**
 * The longest wait before retrying the same deployment while another one is still planned. A vendor
 * that asks for more (a 429 with Retry-After: 8) is told it is busy for longer than a fallback takes
 * to answer, so the next deployment is tried at once instead of keeping the caller waiting. Waits up
 * to this long (a retry-after-ms of a few hundred ms, the default backoff's one retry of under 100 ms:
 * backoff.ts DEFAULT_BACKOFF) cost the caller less than a different model's answer might, so they are
 * still waited for; and the chain's last deployment waits for any Retry-After that fits the deadline,
 * as nothing else could answer; so does a deployment left for later ones none of which could be called.
 */
export const MAX_WAIT_WITH_FALLBACK_MS = 1_000;

/**
 * How long the whole request may take: the sum of the planned deployments' totals, each its own
 * `timeouts.totalMs` or else the proxy's default. Each call ends at its own deployment's total
 * (attempt), so a deployment that hangs for all of it still leaves every later one its own (a
 * deadline of the longest total alone let a hung first deployment end the request with a 504 and
 * no fallback). Waits for a retry fit in what is left.
 */
export function requestTotalMs(targets: readonly PlannedTarget[], defaultTotalMs: number): number {
  if (targets.length === 0) return defaultTotalMs;
  let sum = 0;
  for (const { deployment } of targets) sum += deploymentTotalMs(deployment, defaultTotalMs);
  return sum;
}

/** How long one call to `deployment` may take: its own `timeouts.totalMs`, else the proxy's default. */
export function deploymentTotalMs(deployment: SnapshotDeployment | undefined, defaultTotalMs: number): number {
  return deployment?.timeouts?.totalMs ?? defaultTotalMs;
}

export async function walkChain<T>(targets: PlannedTarget[], operation: Operation<T>, opts: WalkOptions): Promise<WalkResult<T>> {
  const deadline = Date.now() + requestTotalMs(targets, opts.totalMs);
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const trail: Trail = { deployment: null, attempts: 0, fallback: false, steps: [] };
  const leftOut = opts.skipped ?? [];
  const first = leftOut[0]?.before === 0 ? leftOut[0].deployment.id : targets[0]?.deployment.id;
  let last: AttemptFailure | null = null;
  let openCircuits: PlannedTarget[] | null = null;
  // The deployments skipped for their missing credential: the answer only when nothing else is (no call
  // failed, no circuit open: an open circuit comes back by itself, a missing secret does not).
  let missingCredential: PlannedTarget[] | null = null;
  // The first context-length refusal and every deployment that refused (null until one did): the
  // answer when nothing else is or only a failure that invites a retry, and the windows later
  // deployments are skipped for.
  // `deployment`/`fallback`: the trail as the first refusal left it, which the answer's headers name.
  let tooLong: (TrailedFailure & { refusedBy: SnapshotDeployment[] }) | null = null;
  // A deployment opts.recheck refused: its answer when no call failed.
  let rechecked = false;
  // The first deployment that refused the request before its call (a parameter its vendor cannot
  // honour): the answer only when nothing else is (failedWalkError).
  let unsupported: AttemptFailure | null = null;
  // Per deployment called (by index, null until one failed), its last failure when it might still have
  // given the `dimensions` asked: one that answered they were not given is removed. Kept in the order
  // they came (the latest last): the walk's answer in place of a `dimensions` refusal, with the trail
  // as that failure left it, which the answer's headers and usage event name.
  let mightHonour: Map<number, TrailedFailure> | null = null;
  const step = (dep: SnapshotDeployment, outcome: AttemptTrailEntry["outcome"], reason: string | null, startedMs: number) =>
    trail.steps.push({ deploymentId: dep.id, provider: dep.provider, vendorModel: dep.model, outcome, reason, latencyMs: Math.max(0, Math.round(Date.now() - startedMs)) });
  // The left-out deployments' steps, written as the walk reaches the deployment after each (or passes
  // the chain's end): the trail follows the chain, and those after the answer are never reached.
  let nextLeftOut = 0;
  const passLeftOut = (upTo: number) => {
    for (; nextLeftOut < leftOut.length && leftOut[nextLeftOut]!.before <= upTo; nextLeftOut++) step(leftOut[nextLeftOut]!.deployment, "skipped", leftOut[nextLeftOut]!.reason, Date.now());
  };

  // Deployments left with their retry still owed, in chain order (null until one is: no allocation on
  // the usual walk): the walk comes back to them once it has passed the rest of the chain (OwedRetry).
  let owed: OwedRetry[] | null = null;
  let index = 0;
  let firstTry = 0;
  // The last index this pass walks: on coming back, only the deployment that asked to wait (the ones
  // after it were passed over already, and asking them again would only repeat that).
  let lastIndex = targets.length - 1;
  while (true) {
    chain: for (; index <= lastIndex; index++, firstTry = 0) {
      passLeftOut(index);
      const target = targets[index]!;
      const dep = target.deployment;
      const circuit = opts.circuitOf(dep);
      if (tooLong !== null && tooLong.refusedBy.some((refused) => sameWindow(refused, dep))) {
        step(dep, "skipped", SAME_WINDOW_TOO_LONG, Date.now());
        opts.log(`request ${opts.label}: deployment ${dep.id} skipped (same vendor model refused the prompt as too long)`);
        continue;
      }
      for (let tries = firstTry; ; tries++) {
        if (callerGone(opts)) return { ok: false, error: CLIENT_CLOSED.error, clientClosed: true, trail };
        if (trail.attempts >= maxAttempts || Date.now() >= deadline) break chain;
        const asked = askCanAttempt(circuit, opts, deadline);
        const grant = isThenable(asked) ? await asked : asked;
        if (callerGone(opts)) {
          await releaseProbe(grant, circuit, opts, deadline);
          return { ok: false, error: CLIENT_CLOSED.error, clientClosed: true, trail };
        }
        if (Date.now() >= deadline) {
          await releaseProbe(grant, circuit, opts, deadline);
          break chain;
        }
        if (!grant) {
          step(dep, "skipped", "circuit_open", Date.now());
          opts.log(`request ${opts.label}: deployment ${dep.id} skipped (circuit open)`);
          (openCircuits ??= []).push(target);
          continue chain;
        }
        // Asked last, so a snapshot swapped in while the breaker answered is seen too.
        const refused = opts.recheck?.refuses(dep) ?? null;
        if (refused !== null) {
          await releaseProbe(grant, circuit, opts, deadline);
          step(dep, "skipped", refused, Date.now());
          opts.log(`request ${opts.label}: deployment ${dep.id} skipped (${refused}: the snapshot held now does not allow it)`);
          // The request itself refused (its key): nothing more is sent for it, whatever the walk had.
          const withdrawn = opts.recheck!.requestRefused();
          if (withdrawn !== null) return { ok: false, error: withdrawn, clientClosed: false, trail };
          rechecked = true;
          continue chain;
        }
        const startedMs = Date.now();
        // Before the walk's first call only its own questions (the breaker's) took time: that call has
        // its whole total, and its timeout is the deployment's.
        const firstCall = trail.attempts === 0;
        const [deploymentBefore, fallbackBefore] = [trail.deployment, trail.fallback];
        trail.deployment = dep;
        trail.attempts++;
        trail.fallback = dep.id !== first;
        let outcome: AttemptOutcome<T>;
        try {
          outcome = await attempt(target, operation, opts, deadline, grant);
        } catch (error) {
          // A throw no outcome covers (a gateway bug building the vendor request, say a RangeError from
          // a schema walker): the caller gets the gateway's 500, and a half-open probe slot this call held
          // is given back, so the deployment is probed again at once, not skipped until the probe times out.
          await releaseProbe(grant, circuit, opts, deadline);
          throw error;
        }
        // Every refused 2xx is billed by its vendor: each is kept, none replaces another.
        if (!outcome.ok && outcome.refusedAnswer) (trail.refusedCalls ??= []).push({ deployment: dep, reportedUsage: outcome.refusedAnswer.reportedUsage });
        // So is every call it got and never answered, or refused with an error it bills: each is charged
        // once, however the walk ends.
        else if (!outcome.ok && chargedAsUnanswered(outcome)) (trail.unansweredCalls ??= []).push({ deployment: dep, reportedUsage: outcome.reportedSoFar ?? null });
        if (outcome.ok) {
          step(dep, "ok", null, startedMs);
          // Sent, not waited for: the answer must not wait a Redis round trip. The store sees it before
          // this replica's next question (one connection, in order), and a store that fails it is logged
          // by askHealth. A stream tells its verdict when it ends (callEnding).
          if (!operation.verdictAtEnd) void askHealth(() => opts.health.onSuccess(circuit), undefined, opts.log);
          return { ok: true, value: outcome.value, trail };
        }
        if (outcome.kind === "unsupported" || outcome.kind === "no_credential") {
          // Refused before any call: nothing was sent, so it is no attempt (it spends none of the
          // budget), the breaker hears nothing of the deployment's health, and the trail still names the
          // deployment that was really called. Either is skipped wherever it is, the plan's first
          // included: a parameter one vendor cannot honour another may (an alias chaining Anthropic with
          // OpenAI answers `seed` from OpenAI), and a missing credential is this region's secret not
          // set. Each is the answer only if nothing else was (failedWalkError).
          trail.attempts--;
          trail.deployment = deploymentBefore;
          trail.fallback = fallbackBefore;
          step(dep, "skipped", outcome.reason, startedMs);
          opts.log(`request ${opts.label}: deployment ${dep.id} skipped (${outcome.reason})`);
          await releaseProbe(grant, circuit, opts, deadline);
          if (outcome.kind === "no_credential") (missingCredential ??= []).push(target);
          else unsupported ??= outcome;
          continue chain;
        }
        last = outcome;
        if (mightHonour !== null) mightHonour.delete(index);
        if (!isDimensionsNotHonoured(outcome) && !isCallerChosenOperation(outcome.reason)) (mightHonour ??= new Map()).set(index, { failure: outcome, deployment: trail.deployment, fallback: trail.fallback });
        step(dep, "error", outcome.reason, startedMs);
        opts.log(`request ${opts.label}: deployment ${dep.id} failed (${outcome.reason})`);
        switch (outcome.kind) {
          case "client_closed":
            await releaseProbe(grant, circuit, opts, deadline);
            return { ok: false, error: outcome.error, clientClosed: true, trail };
          case "permanent":
            // The deployment answered (the request was at fault): that says it is up. The walk ends here,
            // a retry owed to an earlier deployment included: its answer is this one's (fail fast), not a
            // second call of a request a vendor just refused, which could end in a 504 in place of the 400.
            await askHealth(() => opts.health.onSuccess(circuit), undefined, opts.log, deadline);
            owed = null;
            break chain;
          case "context_length":
            (tooLong ??= { failure: outcome, refusedBy: [], deployment: trail.deployment, fallback: trail.fallback }).refusedBy.push(dep);
            await askHealth(() => opts.health.onSuccess(circuit), undefined, opts.log, deadline);
            continue chain;
          case "unusable_answer":
            // The deployment served the answer; its model botched this request's tool call, or ignored
            // its `dimensions`, which a retry here would likely repeat (billed again): the next
            // deployment is tried instead. A walk that ends on it answers its error (dimensions: a 400).
            await askHealth(() => opts.health.onSuccess(circuit), undefined, opts.log, deadline);
            continue chain;
          case "credential":
            // Not retried (the same key would be refused again), but the next deployment has its own
            // key (another vendor, another Azure resource): the walk goes on. A key read from a file
            // is read again at its next use: the operator who replaces it need not wait for its bound.
            opts.resolveCredential.refused?.(dep.credentialRef);
            await askHealth(() => opts.health.onFailure(circuit), undefined, opts.log, deadline);
            continue chain;
          case "deployment_unavailable":
            // A deployment that does not do the request's operation is up: only the caller's choice failed.
            if (isCallerChosenOperation(outcome.reason)) await releaseProbe(grant, circuit, opts, deadline);
            else await askHealth(() => opts.health.onFailure(circuit), undefined, opts.log, deadline);
            continue chain;
          case "timeout":
          case "transient": {
            // A 429 says the deployment is up and pacing this gateway: the breaker hears nothing of it (a
            // probe gives its slot back), so a vendor's rate limit never turns its Retry-After into a skip.
            // Nor does a stream cut by its time limit before its first chunk while its vendor was still
            // sending (thinking): a long answer, as after the first chunk (CallEnding). Nor a call the
            // request's deadline cut well before its own total ran out, earlier calls of the walk having
            // used the request's time: it was not given its time (cut-short-by-request.ts).
            const cutShort = outcome.reason === "timeout_total" && !firstCall && cutShortByRequest(deadline - startedMs, callBudget(dep, operation, opts));
            const told = !(isVendorRateLimit(outcome) || outcome.reason === STILL_SENDING || cutShort);
            if (!told) await releaseProbe(grant, circuit, opts, deadline);
            else await askHealth(() => opts.health.onFailure(circuit), undefined, opts.log, deadline);
            if (tries >= RETRIES_PER_DEPLOYMENT || trail.attempts >= maxAttempts) continue chain;
            const wait = outcome.retryAfterMs ?? fullJitterMs(tries + 1, opts.backoff ?? DEFAULT_BACKOFF);
            // A wait is bounded by the deployment's own total (the request's deadline is the sum of the
            // planned totals, room for each deployment's call, not for sleeping through a Retry-After
            // longer than any call may take), and is waited only when a call that could still answer
            // fits in the time left after it (retry-fits.ts): a retry cut by the deadline would answer a
            // 504 in place of the vendor's 429 and its wait. Skipped, the caller is told that wait instead.
            if (!retryFits(wait, deadline - Date.now(), callBudget(dep, operation, opts))) {
              step(dep, "skipped", outcome.retryAfterMs === null ? "retry_exceeds_budget" : "retry_after_exceeds_budget", Date.now());
              continue chain;
            }
            // The failure just told may have opened the deployment's circuit (its threshold reached): the
            // breaker would refuse the retry once the wait is over, so it is neither waited for nor owed.
            if (told && (await coolDownLeft(circuit, opts, deadline)) > wait) {
              step(dep, "skipped", "circuit_open", Date.now());
              continue chain;
            }
            // The retry is owed, not taken now, when its wait is long and another deployment is planned,
            // or when it would spend an attempt the rest of the chain cannot spare (every deployment
            // still planned after this one keeps one try: retries never starve the fallbacks).
            // A call that ran out of time is owed too while another deployment is planned: its retry could
            // take as long again, and the next deployment is the likelier answer; the walk comes back to it
            // after the rest of the chain, while attempts and time are left.
            const longWait = wait > MAX_WAIT_WITH_FALLBACK_MS && index < lastIndex;
            const timedOut = outcome.kind === "timeout" && index < lastIndex;
            if (longWait || timedOut || maxAttempts - trail.attempts <= lastIndex - index) {
              if (longWait) step(dep, "skipped", outcome.retryAfterMs === null ? "retry_too_long" : "retry_after_too_long", Date.now());
              (owed ??= []).push({ index, tries, retryAt: Date.now() + wait, attempts: trail.attempts, onlyIfNoneCalled: longWait, vendorWait: outcome.retryAfterMs !== null });
              continue chain;
            }
            if (!(await sleepUnlessAborted(wait, opts))) return { ok: false, error: CLIENT_CLOSED.error, clientClosed: true, trail };
          }
        }
      }
    }
    // Past the chain's end (a no-op on a pass cut short or coming back): the left-out last ones.
    passLeftOut(index);
    // Whether the deployments after one that owes a retry can be called (circuit open, a parameter
    // they refuse) is known only by asking, and asking before leaving would cost a breaker round trip
    // (Redis) or a request build per deployment. So the walk leaves at once and comes back for the
    // owed retry, after what is left of its wait, if it still may (OwedRetry): the caller gets what
    // retrying there would have got it, a few breaker questions later.
    const back = Date.now() < deadline ? takeOwedRetry(owed, trail.attempts, maxAttempts) : undefined;
    if (back === undefined) break;
    // The rest of the chain took time: a retry that no longer fits before the deadline is skipped, as
    // when it was owed (retry-fits.ts), and the next owed one is looked at.
    const owedBy = targets[back.index]!.deployment;
    if (!retryFits(Math.max(0, back.retryAt - Date.now()), deadline - Date.now(), callBudget(owedBy, operation, opts))) {
      step(owedBy, "skipped", back.vendorWait ? "retry_after_exceeds_budget" : "retry_exceeds_budget", Date.now());
      continue;
    }
    if (!(await sleepUnlessAborted(Math.max(0, back.retryAt - Date.now()), opts))) return { ok: false, error: CLIENT_CLOSED.error, clientClosed: true, trail };
    index = lastIndex = back.index;
    firstTry = back.tries + 1;
  }
  // No deployment answered: which failure (or skip) is the caller's answer, and whose the trail names.
  return { ok: false, error: await failedWalkError({ last, mightHonour, tooLong, openCircuits, missingCredential, unsupported, rechecked }, trail, operation, opts, deadline), clientClosed: false, trail };
}

/**
 * A committed stream that ended short of its clean end (the vendor broke it, it timed out, its client
 * left): the step the walk recorded as "ok" when the stream was committed (the trail's last: the walk
 * ended with it) becomes an error with `reason`, so the usage event and gateway_vendor_attempts_total
 * say how the call ended, as they do for a call that fails before it is committed.
 */
export function streamEndedShort(trail: Trail, reason: string): void {
  const last = trail.steps[trail.steps.length - 1];
  if (last === undefined || last.outcome !== "ok") return;
  last.outcome = "error";
  last.reason = reason;
}

/**
 * A failure the walk may answer in place of a later one, and the trail as it left it: the deployment
 * and `fallback` the answer's headers and usage event name, put back when it is the answer.
 */
interface TrailedFailure {
  failure: AttemptFailure;
  deployment: SnapshotDeployment | null;
  fallback: boolean;
}

/** What a walk that got no answer leaves to choose the caller's answer from (walkChain's own state). */
interface WalkEnd {
  /** The last call's failure. */
  last: AttemptFailure | null;
  /** Per deployment called, its last failure that might still have given the `dimensions` asked, the latest last. */
  mightHonour: Map<number, TrailedFailure> | null;
  /** The first context-length refusal. */
  tooLong: TrailedFailure | null;
  /** The deployments skipped for an open circuit. */
  openCircuits: PlannedTarget[] | null;
  /** The deployments skipped for their missing credential. */
  missingCredential: PlannedTarget[] | null;
  /** The first deployment that refused the request before its call (a parameter its vendor cannot honour). */
  unsupported: AttemptFailure | null;
  /** A deployment opts.recheck refused. */
  rechecked: boolean;
}

/**
 * What the caller is told when no deployment answered, the trail naming the deployment whose failure
 * it is. In this order:
 * - A refusal of the `dimensions` asked, last, says no deployment gives the size only when no other
 *   might have: it is set aside, and the latest failure of a deployment that might have given the
 *   size stands in for it (none: the walk answers as if the refusal were not there, below).
 * - A deployment that answered said the prompt is too long: a failure that would invite a retry (a
 *   fallback's 5xx or 429 would have the SDK send the prompt down the whole chain again) does not
 *   change that. A later deployment's caller error that ended the walk is its answer to the prompt,
 *   and stays the answer, with the trail naming it as it stands.
 * - A failure: its error (finalError).
 * - None: every deployment reached skipped for its open circuit, a 503 with the soonest cool-down's
 *   Retry-After while the deadline leaves time to ask; else a missing credential; else the `dimensions`
 *   refusal set aside (not when an open circuit the deadline left no time to ask about might have given
 *   the size); else the first refusal of the request before a call (a 400 naming the parameter no
 *   deployment reached could take); else the recheck's answer; else nothing was tried or time ran out
 *   (finalError). With such a refusal or the `dimensions` refusal recorded, a deployment skipped for its
 *   open circuit or missing credential that would refuse the request before its call (mightTake) counts
 *   as neither: the 400 answers when every deployment that could be reached would refuse, not a 503 or
 *   502 an SDK retries for nothing.
 */
async function failedWalkError(end: WalkEnd, trail: Trail, operation: Operation<unknown>, opts: WalkOptions, deadline: number): Promise<GatewayError> {
  const notHonoured = end.last !== null && isDimensionsNotHonoured(end.last) ? end.last : null;
  const standIn = notHonoured === null || end.mightHonour === null ? null : ([...end.mightHonour.values()].at(-1) ?? null);
  if (standIn !== null) nameOnTrail(trail, standIn);
  const failed = notHonoured === null ? end.last : (standIn?.failure ?? null);
  if (end.tooLong !== null && failed?.kind !== "permanent") {
    nameOnTrail(trail, end.tooLong);
    return end.tooLong.failure.error;
  }
  if (failed !== null) return finalError(failed, trail, deadline);
  // A skipped deployment that would refuse the request before its call neither takes it nor gives the size.
  const filter = end.unsupported !== null || notHonoured !== null;
  const openCircuits = filter ? mightTake(end.openCircuits, operation, opts) : end.openCircuits;
  const missingCredential = filter ? mightTake(end.missingCredential, operation, opts) : end.missingCredential;
  if (openCircuits !== null && Date.now() < deadline) return circuitsOpenError(openCircuits.map(({ deployment }) => opts.circuitOf(deployment)), opts, deadline);
  if (missingCredential !== null) return finalError(missingCredentialFailure(), trail, deadline);
  if (notHonoured !== null && openCircuits === null) return finalError(notHonoured, trail, deadline);
  if (end.unsupported !== null && openCircuits === null) return end.unsupported.error;
  if (end.rechecked) return opts.recheck!.answer();
  return finalError(null, trail, deadline);
}

/**
 * Those of the deployments skipped uncalled (`skipped`) that might have taken the request: not one
 * whose request build refuses it before a call (a parameter refused for every OpenAI deployment, say).
 * Built only at the end of a walk that failed with such a refusal or the `dimensions` refusal; null
 * when none is left.
 */
function mightTake(skipped: PlannedTarget[] | null, operation: Operation<unknown>, opts: WalkOptions): PlannedTarget[] | null {
  const left = skipped?.filter((target) => !refusedBeforeCall(target, operation, opts)) ?? [];
  return left.length > 0 ? left : null;
}

/**
 * Whether building the request for `target` refuses it (no credential is needed to know: none is sent).
 * Another throw is a gateway bug (attempt() lets it reach the caller as a 500): the deployment counts
 * as one that might take the request, and the throw is logged.
 */
function refusedBeforeCall(target: PlannedTarget, operation: Operation<unknown>, opts: WalkOptions): boolean {
  try {
    operation.build(target, "");
    return false;
  } catch (error) {
    if (error instanceof UnsupportedParameterError) return true;
    const thrown = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    opts.log(`request ${opts.label}: deployment ${target.deployment.id} skipped; building its request threw ${thrown}`);
    return false;
  }
}

/** A deployment skipped for its missing credential: this region's secret is not set. */
function missingCredentialFailure(): AttemptFailure {
  return { ok: false, kind: "no_credential", error: { kind: "upstream_error", message: "The model provider is misconfigured." }, retryAfterMs: null, reason: "credential_missing" };
}

/** The trail names the deployment whose failure is answered, as that failure left it. */
function nameOnTrail(trail: Trail, answered: TrailedFailure): void {
  trail.deployment = answered.deployment;
  trail.fallback = answered.fallback;
}

/**
 * A retry left for later: the deployment at `index` failed its try `tries` when `attempts` calls had
 * been made, and may be tried again from `retryAt`. The walk comes back to it while the attempt
 * budget lasts; one left for a long wait (`onlyIfNoneCalled`) only when no deployment was called
 * since (a later deployment that was called and failed ends the walk: its failure is the answer).
 */
interface OwedRetry {
  index: number;
  tries: number;
  retryAt: number;
  attempts: number;
  onlyIfNoneCalled: boolean;
  /** The wait is the vendor's (Retry-After), not the walk's backoff: for the trail's reason when it is skipped. */
  vendorWait: boolean;
}

/** The first owed retry the walk may still come back to (removed from `owed`), in chain order. */
function takeOwedRetry(owed: OwedRetry[] | null, attempts: number, maxAttempts: number): OwedRetry | undefined {
  while (owed !== null && owed.length > 0 && attempts < maxAttempts) {
    const next = owed.shift()!;
    if (!next.onlyIfNoneCalled || next.attempts === attempts) return next;
  }
  return undefined;
}

/** What one call to `dep` may take with this operation (retry-fits.ts). */
function callBudget(dep: SnapshotDeployment, operation: Operation<unknown>, opts: WalkOptions): CallBudget {
  return { totalMs: deploymentTotalMs(dep, opts.totalMs), firstByteMs: operation.firstByteBound ? firstByteBudgetMs(dep.timeouts, opts.firstByteMs) : null };
}

/** A stream's time ran out before its first chunk while its vendor was still sending events. */
const STILL_SENDING = "timeout_total_still_sending";

/**
 * Every deployment the walk reached was skipped for its open circuit: a 503 whose Retry-After is the
 * soonest end of their cool-downs, so an SDK comes back when one may be tried (a 502 it would retry
 * at once, into the same open circuits).
 */
async function circuitsOpenError(circuits: string[], opts: WalkOptions, deadline: number): Promise<GatewayError> {
  const left = await Promise.all(circuits.map((circuit) => coolDownLeft(circuit, opts, deadline)));
  return { kind: "upstream_unavailable", message: "Every deployment for this model is temporarily unavailable.", retryAfterSeconds: Math.max(1, Math.ceil(Math.min(...left) / 1000)) };
}

/** What is left of a deployment's cool-down in ms (0: closed, or a breaker that cannot say; a failing store answers 0). */
function coolDownLeft(circuit: string, opts: WalkOptions, deadline: number): Promise<number> | number {
  return askHealth(() => opts.health.coolDownLeftMs?.(circuit) ?? 0, 0, opts.log, deadline);
}

/**
 * What the caller is told when the walk ends without an answer and no deployment refused the prompt
 * as too long (that refusal is the answer then, unless a later caller error ended the walk): the last
 * failure's error (one that might have given the `dimensions` a later deployment refused, when there is
 * one: failedWalkError), except a
 * vendor's 429, which stays a 429 with the vendor's Retry-After (so an SDK waits as the vendor asked
 * instead of retrying a 502 at once), and a vendor's 5xx with a Retry-After, whose 502 carries it; with
 * no failure, nothing was tried or time ran out.
 */
function finalError(last: AttemptFailure | null, trail: Trail, deadline: number): GatewayError {
  if (last && isVendorRateLimit(last)) {
    return vendorRateLimited("The model provider is rate limiting this model; retry later.", last.retryAfterMs, limitTypeOf(last.error));
  }
  // A vendor that failed and said when to come back (a 503 or 529 with Retry-After): the caller is told
  // the same, not invited to retry at once.
  if (last && last.kind === "transient" && last.retryAfterMs !== null && last.error.kind === "upstream_error") {
    return { ...last.error, retryAfterMs: last.retryAfterMs };
  }
  if (last) return last.error;
  return trail.attempts === 0 && Date.now() < deadline
    ? { kind: "upstream_error", message: "Every deployment for this model is temporarily unavailable." }
    : { kind: "upstream_timeout", message: "The model provider did not answer in time." };
}

/**
 * One call: credential → build → fetch → classify, or hand a 2xx to the operation's reader. Throws only
 * what building the request throws beyond a refused parameter (a bug): the walk gives the probe slot back.
 */
async function attempt<T>(target: PlannedTarget, operation: Operation<T>, opts: WalkOptions, requestDeadline: number, grant: boolean | "probe"): Promise<AttemptOutcome<T>> {
  const dep = target.deployment;
  const credential = opts.resolveCredential(dep.credentialRef);
  if (!credential.ok) return missingCredentialFailure();
  let http: VendorHttpRequest;
  try {
    http = operation.build(target, credential.credential);
  } catch (error) {
    if (error instanceof UnsupportedParameterError) return { ok: false, kind: "unsupported", error: unsupportedParameterToGatewayError(error), retryAfterMs: null, reason: unsupportedParameterReason(error.tracedParam) };
    throw error;
  }
  // Bun's fetch reports no "connected" event: connectMs is part of a stream's wait for its first byte.
  const firstByteMs = operation.firstByteBound ? firstByteBudgetMs(dep.timeouts, opts.firstByteMs) : Infinity;
  // Each call ends at its own deployment's total (the default for one without), and never after the
  // request's deadline (requestTotalMs).
  const deadline = Math.min(requestDeadline, Date.now() + deploymentTotalMs(dep, opts.totalMs));
  const { handle, response: pending } = startVendorCall(http, { firstByteMs, deadline }, opts.clientSignal, opts.stop);
  let response: Response;
  try {
    response = await pending;
  } catch (error) {
    handle.cleanup();
    return fromThrown(error, handle.state());
  }
  const call = handle.answered(response);
  // Whether the vendor answered 2xx: garbage then is an answer it billed, in an error answer's body not.
  let answered = false;
  try {
    if (response.status >= 300 && response.status < 400) {
      // Redirects are not followed (redirect: "manual"): an approved deployment answers where it is.
      handle.abort();
      handle.cleanup();
      return { ok: false, kind: "transient", error: { kind: "upstream_error", message: "The model provider answered with a redirect the gateway does not follow." }, retryAfterMs: null, reason: `redirect_${response.status}` };
    }
    if (!response.ok) {
      // The vendor has decided; only its words are to come, right after the headers. A stream's
      // first-byte timer stops, and the body, streamed or not, gets the deployment's first-byte timeout
      // capped at the proxy's default from the status on (errorBodyWaitMs: a thinking deployment's long
      // one is for thinking): a vendor that sends a 503's headers and then nothing is not waited for
      // until the call's whole total, and is judged by its status alone (read-error-body.ts), never as
      // a call left unanswered.
      // Only its first MAX_ERROR_BODY_BYTES: a larger body keeps its status (a 429's Retry-After, a 400).
      handle.clearFirstByte();
      const text = await readErrorBody(response, MAX_ERROR_BODY_BYTES, { ms: errorBodyWaitMs(dep.timeouts, opts.firstByteMs), abort: () => handle.abort() });
      handle.cleanup();
      if (handle.state().clientClosed) return CLIENT_CLOSED;
      // Cut out before the adapter shortens a body to an excerpt: a key across the cut would survive
      // in half, where the whole-key redaction of the error below cannot match it.
      const failure = fromVendorError(target.adapter.classifyError(response.status, response.headers, textWithoutCredential(text, credential.credential), operation.kind));
      return { ...failure, error: withoutCredential(failure.error, credential.credential) };
    }
    // A web page (a WAF, captive portal) or a 204/205 is no API answer: unbilled, decided before `answered`.
    const notApi = notApiResponse(response);
    if (notApi) {
      handle.abort();
      handle.cleanup();
      return notApi;
    }
    // A stream cut by its time limit after going silent longer than its first-byte budget counts against it.
    const ending = operation.verdictAtEnd ? callEnding(opts.circuitOf(dep), grant, () => handle.state(), opts, firstByteMs) : NO_ENDING;
    answered = true;
    return { ok: true, value: await operation.read(call, target, (error) => withoutCredential(error, credential.credential), (text) => textWithoutCredential(text, credential.credential), ending) };
  } catch (error) {
    handle.abort();
    handle.cleanup();
    // A stream's error event before the first chunk carries the vendor's words, as an error body does.
    const state = handle.state();
    const failure = fromThrown(error, state, answered);
    const reason = failure.kind === "timeout" && operation.verdictAtEnd && failureVerdict(state, 0, firstByteMs) === "none" ? STILL_SENDING : failure.reason;
    // Left without an answer, its answer cut or refused with a billed error, after the vendor reported
    // usage in its stream: that usage is charged.
    const reported = chargedAsUnanswered(failure) ? (call.reportedSoFar?.partialUsage?.() ?? null) : null;
    return { ...failure, reason, error: withoutCredential(failure.error, credential.credential), ...(reported === null ? {} : { reportedSoFar: reported }) };
  }
}

/** The client left, or the proxy's stop cut the request (WalkOptions.stop). */
function callerGone(opts: Pick<WalkOptions, "clientSignal" | "stop">): boolean {
  return opts.clientSignal.aborted || opts.stop?.cutSignal.aborted === true;
}

/**
 * Sleeps `ms`; false when the client left (or the stop cut the request) meanwhile. A retry's rare
 * backoff: it listens on the stop's signal itself.
 */
function sleepUnlessAborted(ms: number, opts: Pick<WalkOptions, "clientSignal" | "stop">): Promise<boolean> {
  if (callerGone(opts)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (value: boolean) => {
      clearTimeout(timer);
      opts.clientSignal.removeEventListener("abort", onAbort);
      opts.stop?.cutSignal.removeEventListener("abort", onAbort);
      resolve(value);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    opts.clientSignal.addEventListener("abort", onAbort);
    opts.stop?.cutSignal.addEventListener("abort", onAbort);
  });
}
