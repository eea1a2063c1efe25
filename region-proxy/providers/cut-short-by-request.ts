/**
 * Whether a call that ran out of time was cut by the request's deadline rather than by its own total:
 * then its timeout says nothing of the deployment (it was not given its time), and the breaker is not
 * told. Only a call given materially less than its total counts: one denied less than a useful call's
 * time (retry-fits.ts usefulCallMs) had its chance. Judged by the few ms the walk spends between calls
 * alone, every call after a timed-out one would be "cut short", and a fallback deployment that hung for
 * its whole total, in the usual outage where the first one timed out too, was never told to the breaker.
 *
 * @example cutShortByRequest(390, { totalMs: 400, firstByteMs: null }) // false: it lost 10 ms, less than 100
 */
import { usefulCallMs, type CallBudget } from "./retry-fits.ts";

/** `givenMs`: the time the call had before the request's deadline; `call`: its deployment's budget. */
export function cutShortByRequest(givenMs: number, call: CallBudget): boolean {
  return givenMs < call.totalMs - usefulCallMs(call);
}
