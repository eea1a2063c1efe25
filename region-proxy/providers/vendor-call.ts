/**
 * One HTTP call to a vendor with its timers: `firstByteMs` until the vendor answers (the caller clears
 * it: a stream once its first event is in, see `heard`; any call once an error status is in, its body
 * then bound by read-error-body.ts), a deadline for the whole call, and the client's disconnect (and
 * the proxy's stop cutting it: WalkOptions.cutSignal) wired to abort it. What the first-byte budget is comes from the operation
 * (walk-chain.ts attempt): a deployment's `connectMs` plus its first-byte timeout for a stream; none
 * (Infinity: only the deadline) for a non-streamed answer, whose headers come once the whole answer is
 * ready.
 */
import type { StreamTranslator, VendorHttpRequest } from "./types.ts";

export interface CallTimers {
  /** Infinity: no first-byte timer, only the deadline. */
  firstByteMs: number;
  /** Absolute time (ms) at which the call is aborted, body or stream included. */
  deadline: number;
}

export interface VendorCall {
  response: Response;
  /**
   * Stops the first-byte timer: the vendor answered (its error status is in, its body bound by
   * read-error-body.ts). A non-streamed answer has no such timer (firstByteMs Infinity).
   */
  clearFirstByte(): void;
  /**
   * The vendor sent stream bytes (any: a ping, a hidden thought, an SSE comment keep-alive): stops the
   * first-byte timer and notes when, as state().heardAt. Called once per read of the body, not per event.
   */
  heard(): void;
  /** Clears every timer and listener; does not abort. */
  cleanup(): void;
  abort(): void;
  state(): CallState;
  /** The first-byte budget the call was started with (Infinity: none); mid-stream, how long its vendor may go silent (call-ending.ts). */
  firstByteMs: number;
  /** The request's jsonAsText (VendorHttpRequest): its JSON response_format is answered as the text itself. */
  jsonAsText?: boolean;
  /**
   * Set by a reader translating the call's 2xx stream: its translator, whose counts so far
   * (StreamTranslator.partialUsage, Anthropic's message_start) the call is charged if it is left
   * without an answer (timeout, client gone) before its first chunk.
   */
  reportedSoFar?: Pick<StreamTranslator, "partialUsage">;
}

export interface CallState {
  clientClosed: boolean;
  timedOut: "first_byte" | "total" | null;
  /** When (Date.now()) the vendor's latest stream event was read; 0 before the first. */
  heardAt: number;
}

/**
 * Starts the call: the handle (timers, abort, why it ended) is usable even when `response` rejects.
 * One timer per call: it is armed for the first-byte moment (or the deadline, if sooner), and only a
 * call still running by then is re-armed for the deadline. Most calls are over long before the
 * first-byte timeout, so they arm and clear one native timer, not two.
 */
export function startVendorCall(http: VendorHttpRequest, timers: CallTimers, clientSignal: AbortSignal, cutSignal?: AbortSignal): { handle: Omit<VendorCall, "response">; response: Promise<Response> } {
  const controller = new AbortController();
  let timedOut: "first_byte" | "total" | null = null;
  let waitingForFirstByte = true;
  let heardAt = 0;
  const onClientAbort = () => controller.abort();
  // A client that left while the breaker was being asked (Redis) would never fire "abort" again.
  if (clientSignal.aborted || cutSignal?.aborted) controller.abort();
  else {
    clientSignal.addEventListener("abort", onClientAbort);
    cutSignal?.addEventListener("abort", onClientAbort);
  }
  const remaining = Math.max(0, timers.deadline - Date.now());
  const firstByteFirst = timers.firstByteMs < remaining;
  const onTimer = () => {
    const left = timers.deadline - Date.now();
    if (left > 0 && !(firstByteFirst && waitingForFirstByte)) {
      // The first byte came in time (from here on only the deadline counts), or a timer fired early: a
      // "total" timeout means the deadline has truly passed, so nothing waits on a breaker after it.
      timer = setTimeout(onTimer, left);
      return;
    }
    timedOut ??= firstByteFirst && waitingForFirstByte ? "first_byte" : "total";
    controller.abort();
  };
  let timer: ReturnType<typeof setTimeout> = setTimeout(onTimer, firstByteFirst ? timers.firstByteMs : remaining);
  const clearFirstByte = () => {
    waitingForFirstByte = false;
  };
  const handle = {
    clearFirstByte,
    heard() {
      waitingForFirstByte = false;
      heardAt = Date.now();
    },
    cleanup() {
      clearFirstByte();
      clearTimeout(timer);
      clientSignal.removeEventListener("abort", onClientAbort);
      cutSignal?.removeEventListener("abort", onClientAbort);
    },
    abort: () => controller.abort(),
    state: (): CallState => ({ clientClosed: clientSignal.aborted || cutSignal?.aborted === true, timedOut, heardAt }),
    firstByteMs: timers.firstByteMs,
    jsonAsText: http.jsonAsText,
  };
  // redirect: "manual" so a vendor (or anything in between) cannot send the request somewhere else.
  const response = fetch(http.url, { method: http.method, headers: http.headers, body: http.method === "GET" ? undefined : http.body, signal: controller.signal, redirect: "manual" });
  return { handle, response };
}
