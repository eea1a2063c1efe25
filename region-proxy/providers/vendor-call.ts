/**
 * One HTTP call to a vendor with its timers: `firstByteMs` until the headers (the caller clears it
 * once a stream's first chunk is in), a deadline for the whole call, and the client's disconnect
 * wired to abort it. Bun's fetch reports no "connected" event, so a deployment's `connectMs` is
 * added to the first-byte budget: together they bound the wait for the vendor's headers.
 */
import type { VendorHttpRequest } from "./types.ts";

export interface CallTimers {
  firstByteMs: number;
  /** Absolute time (ms) at which the call is aborted, body or stream included. */
  deadline: number;
}

export interface VendorCall {
  response: Response;
  /** Stops the first-byte timer (headers or the first stream chunk arrived). */
  clearFirstByte(): void;
  /** Clears every timer and listener; does not abort. */
  cleanup(): void;
  abort(): void;
  state(): { clientClosed: boolean; timedOut: "first_byte" | "total" | null };
}

/**
 * Starts the call: the handle (timers, abort, why it ended) is usable even when `response` rejects.
 * One timer per call: it is armed for the first-byte moment (or the deadline, if sooner), and only a
 * call still running by then is re-armed for the deadline. Most calls are over long before the
 * first-byte timeout, so they arm and clear one native timer, not two.
 */
export function startVendorCall(http: VendorHttpRequest, timers: CallTimers, clientSignal: AbortSignal): { handle: Omit<VendorCall, "response">; response: Promise<Response> } {
  const controller = new AbortController();
  let timedOut: "first_byte" | "total" | null = null;
  let waitingForFirstByte = true;
  const onClientAbort = () => controller.abort();
  // A client that left while the breaker was being asked (Redis) would never fire "abort" again.
  if (clientSignal.aborted) controller.abort();
  else clientSignal.addEventListener("abort", onClientAbort);
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
    cleanup() {
      clearFirstByte();
      clearTimeout(timer);
      clientSignal.removeEventListener("abort", onClientAbort);
    },
    abort: () => controller.abort(),
    state: () => ({ clientClosed: clientSignal.aborted, timedOut }),
  };
  // redirect: "manual" so a vendor (or anything in between) cannot send the request somewhere else.
  const response = fetch(http.url, { method: http.method, headers: http.headers, body: http.method === "GET" ? undefined : http.body, signal: controller.signal, redirect: "manual" });
  return { handle, response };
}
