/**
 * A committed stream's verdict on its deployment: told when the stream ends, not when its first chunk
 * came (walk-chain.ts hands `callEnding` to a streaming Operation's read, committedStream tells it).
 */
import { askHealth, releaseProbe, type HealthDeps } from "./ask-health.ts";
import { UnusableAnswerError } from "./unusable-answer.ts";
import { VendorStreamError } from "./vendor-stream-error.ts";
import { isVendorRateLimit } from "./vendor-rate-limit.ts";
import type { CallState, VendorCall } from "./vendor-call.ts";

/**
 * How a call handed on still reading (a committed stream) ended; the first word counts, later ones
 * are ignored, so every way out of a stream may say one. Each is told without being waited for.
 */
export interface CallEnding {
  /** Read to the vendor's clean end: the deployment is up. */
  done(): void;
  /**
   * A read failed (a timeout, garbage, a vendor's error event, a reset): the deployment failed, unless
   * the client had left, or the call's time ran out while the vendor was still sending, or the vendor's
   * rate-limit error event ended it (no verdict), or the model's output could not be used for this
   * request (`error` an UnusableAnswerError: the deployment answered). `waitingSince`: when the failed
   * read began (Date.now()); the vendor's silence is counted from it or from its last event
   * (state().heardAt), whichever is later.
   */
  failed(waitingSince: number, error?: unknown): void;
  /** Stopped before its end with no verdict (the client left): a half-open probe gives its slot back. */
  abandoned(): void;
}

/** For an operation whose verdict is its read (not a stream): nothing to tell. */
export const NO_ENDING: CallEnding = { done() {}, failed() {}, abandoned() {} };

/**
 * Tells the breaker how a stream ended, once: a clean end is a success, a failure a failure, except
 * three that are none (the client left, or the call's time cut a vendor still sending: failureVerdict;
 * the vendor's rate-limit error event ended it: pacedByVendor) and an unusable answer, a success;
 * else no verdict. `silentAfterMs`: how long the vendor may go without an event before a cut by the
 * call's time limit counts against it (the deployment's first-byte timeout).
 */
export function callEnding(depId: string, grant: boolean | "probe", state: VendorCall["state"], opts: HealthDeps, silentAfterMs: number): CallEnding {
  let told = false;
  const tell = (verdict: "up" | "down" | "none") => {
    if (told) return;
    told = true;
    if (verdict === "up") void askHealth(() => opts.health.onSuccess(depId), undefined, opts.log);
    else if (verdict === "down") void askHealth(() => opts.health.onFailure(depId), undefined, opts.log);
    else void releaseProbe(grant, depId, opts);
  };
  return {
    done: () => tell("up"),
    failed: (waitingSince, error) => tell(error instanceof UnusableAnswerError ? "up" : pacedByVendor(error) ? "none" : failureVerdict(state(), waitingSince, silentAfterMs)),
    abandoned: () => tell("none"),
  };
}

/**
 * The vendor's rate-limit error event (Anthropic's `rate_limit_error`, an OpenAI-format 429 object,
 * Gemini's RESOURCE_EXHAUSTED, its code 429 or none: gemini/errors.ts geminiStreamErrorStatus) ended
 * the stream: the vendor pacing the gateway, not the deployment down, as its 429 before the first chunk
 * is (walk-chain.ts): no verdict, so a few paced streams cannot open its circuit for every tenant.
 */
function pacedByVendor(error: unknown): boolean {
  return error instanceof VendorStreamError && isVendorRateLimit(error.vendorError);
}

/**
 * A failed read's verdict. A client that left says nothing about the deployment. A stream cut by the
 * call's time limit (the request's total deadline, or the deployment's own) counts only when the
 * vendor had gone silent: a stream still sending is a long answer (or a long think), which any caller
 * can ask for (a large max_tokens, a thinking budget), so counting it would let one caller open the
 * breaker for every tenant. Silent is no event (a ping or a thinking delta counts: the vendor is
 * answering) for longer than the deployment's first-byte timeout, the longest the gateway lets a
 * deployment say nothing before a call counts as timed out; a vendor that stalls until the deadline is
 * such a failure. Silence is counted from the vendor's last event, or from when the failed read began
 * if later (`waitingSince`): a client that stopped reading for a while leaves the vendor blocked on a
 * full buffer, not silent. A stall that began less than that before the cut cannot be told from a
 * pause, and is no verdict either way.
 */
export function failureVerdict(state: CallState, waitingSince: number, silentAfterMs: number): "down" | "none" {
  if (state.clientClosed) return "none";
  if (cutWhileSending(state, waitingSince, silentAfterMs)) return "none";
  return "down";
}

/**
 * Whether the call's total deadline cut a vendor that had not gone silent: an event within
 * `silentAfterMs` of the cut, or a read begun (`waitingSince`) that recently (see failureVerdict).
 */
export function cutWhileSending(state: CallState, waitingSince: number, silentAfterMs: number): boolean {
  return state.timedOut === "total" && Date.now() - Math.max(state.heardAt, waitingSince) <= silentAfterMs;
}
