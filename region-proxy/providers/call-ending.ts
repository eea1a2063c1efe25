/**
 * A committed stream's verdict on its deployment: told when the stream ends, not when its first chunk
 * came (walk-chain.ts hands `callEnding` to a streaming Operation's read, committedStream tells it).
 */
import { askHealth, releaseProbe, type HealthDeps } from "./ask-health.ts";
import type { VendorCall } from "./vendor-call.ts";

/**
 * How a call handed on still reading (a committed stream) ended; the first word counts, later ones
 * are ignored, so every way out of a stream may say one. Each is told without being waited for.
 */
export interface CallEnding {
  /** Read to the vendor's clean end: the deployment is up. */
  done(): void;
  /** A read failed (a timeout, garbage, a vendor's error event, a reset): the deployment failed, unless the client had left (no verdict). */
  failed(): void;
  /** Stopped before its end with no verdict (the client left): a half-open probe gives its slot back. */
  abandoned(): void;
}

/** For an operation whose verdict is its read (not a stream): nothing to tell. */
export const NO_ENDING: CallEnding = { done() {}, failed() {}, abandoned() {} };

/** Tells the breaker how a stream ended, once: a clean end is a success, a failure (not the client's leaving) a failure, else no verdict. */
export function callEnding(depId: string, grant: boolean | "probe", state: VendorCall["state"], opts: HealthDeps): CallEnding {
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
    failed: () => tell(state().clientClosed ? "none" : "down"),
    abandoned: () => tell("none"),
  };
}
