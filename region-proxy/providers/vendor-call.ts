/**
 * One HTTP call to a vendor with its timers: `firstByteMs` until the vendor answers (the caller clears
 * it: a stream once its first event is in, see `heard`; any call once an error status is in, its body
 * then bound by read-error-body.ts), a deadline for the whole call, and the client's disconnect (and
 * the proxy's stop cutting it: WalkOptions.stop) wired to abort it. What the first-byte budget is
 * comes from the operation (walk-chain.ts attempt): a deployment's `connectMs` plus its first-byte
 * timeout for a stream; none (Infinity: only the deadline) for a non-streamed answer, whose headers
 * come once the whole answer is ready.
 */
import { fetchHeaders } from "./fetch-headers.ts";
import type { StreamTranslator, VendorHttpRequest } from "./types.ts";

export interface CallTimers {
  /** Infinity: no first-byte timer, only the deadline. */
  firstByteMs: number;
  /** Absolute time (ms) at which the call is aborted, body or stream included. */
  deadline: number;
}

/**
 * A started call with its answer in hand (a CallHandle: its methods need their object, so hand on
 * `() => call.abort()`, never `call.abort`).
 */
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

/**
 * The proxy's stop as a call sees it (InFlight): whether it has cut the work still running, and the
 * calls it aborts when it does. A running call is registered there, not added as a listener on
 * `cutSignal`: every call of every request would listen to that one signal, and removing a listener
 * scans the others (measured: ~0.25 us per call at 32 in flight, ~1 us at 256; a Set's add and delete
 * stay O(1)).
 */
export interface StopCut {
  readonly cutSignal: AbortSignal;
  readonly vendorCalls: Set<{ abort(): void }>;
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
export function startVendorCall(http: VendorHttpRequest, timers: CallTimers, clientSignal: AbortSignal, stop?: StopCut): { handle: CallHandle; response: Promise<Response> } {
  const handle = new CallHandle(http, timers, clientSignal, stop);
  // redirect: "manual" so a vendor (or anything in between) cannot send the request somewhere else.
  const response = fetch(http.url, { method: http.method, headers: fetchHeaders(http.headers), body: http.method === "GET" ? undefined : http.body, signal: handle.controller.signal, redirect: "manual" });
  return { handle, response };
}

/**
 * A call's handle: one object per call, its state in fields and its operations on the prototype (no
 * closure per call). It is the abort listener itself (handleEvent) on the client's signal, what the
 * stop aborts (StopCut.vendorCalls), and its timer's argument. Its methods need their object: hand on
 * `() => call.abort()`, never `call.abort`.
 */
export class CallHandle implements Omit<VendorCall, "response"> {
  /** The vendor's answer, once fetch resolved it (`answered`). */
  response: Response | undefined = undefined;
  reportedSoFar?: Pick<StreamTranslator, "partialUsage">;
  readonly controller = new AbortController();
  readonly firstByteMs: number;
  readonly jsonAsText: boolean | undefined;
  private timedOut: CallState["timedOut"] = null;
  private waitingForFirstByte = true;
  private heardAt = 0;
  /** Whether the one timer was armed for the first-byte moment (not the deadline). */
  private readonly firstByteFirst: boolean;
  private readonly deadline: number;
  private timer: ReturnType<typeof setTimeout>;

  constructor(
    http: VendorHttpRequest,
    timers: CallTimers,
    private readonly clientSignal: AbortSignal,
    private readonly stop: StopCut | undefined,
  ) {
    this.firstByteMs = timers.firstByteMs;
    this.jsonAsText = http.jsonAsText;
    this.deadline = timers.deadline;
    // A client that left while the breaker was being asked (Redis) would never fire "abort" again.
    if (clientSignal.aborted || stop?.cutSignal.aborted) this.controller.abort();
    else {
      clientSignal.addEventListener("abort", this);
      stop?.vendorCalls.add(this);
    }
    const remaining = Math.max(0, timers.deadline - Date.now());
    this.firstByteFirst = timers.firstByteMs < remaining;
    this.timer = setTimeout(onTimer, this.firstByteFirst ? timers.firstByteMs : remaining, this);
  }

  /** This call with the vendor's answer in hand. */
  answered(response: Response): VendorCall {
    this.response = response;
    return this as VendorCall;
  }

  /** The client left: the call is aborted (the stop's cut calls `abort`). */
  handleEvent(): void {
    this.controller.abort();
  }

  /** The timer fired: a timeout ends the call, or (first byte in, or fired early) it is re-armed for the deadline. */
  timerFired(): void {
    const left = this.deadline - Date.now();
    const firstByteLate = this.firstByteFirst && this.waitingForFirstByte;
    if (left > 0 && !firstByteLate) {
      // The first byte came in time (from here on only the deadline counts), or a timer fired early: a
      // "total" timeout means the deadline has truly passed, so nothing waits on a breaker after it.
      this.timer = setTimeout(onTimer, left, this);
      return;
    }
    this.timedOut ??= firstByteLate ? "first_byte" : "total";
    this.controller.abort();
  }

  clearFirstByte(): void {
    this.waitingForFirstByte = false;
  }

  heard(): void {
    this.waitingForFirstByte = false;
    this.heardAt = Date.now();
  }

  cleanup(): void {
    this.waitingForFirstByte = false;
    clearTimeout(this.timer);
    this.clientSignal.removeEventListener("abort", this);
    this.stop?.vendorCalls.delete(this);
  }

  abort(): void {
    this.controller.abort();
  }

  state(): CallState {
    return { clientClosed: this.clientSignal.aborted || this.stop?.cutSignal.aborted === true, timedOut: this.timedOut, heardAt: this.heardAt };
  }
}

function onTimer(call: CallHandle): void {
  call.timerFired();
}
