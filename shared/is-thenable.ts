/**
 * Whether an answer that may come at once or later (`T | Promise<T>`: the in-process breaker and
 * counters answer at once, their Redis twins with a promise) must be waited for. Callers await only
 * what this says is pending, so an in-process answer costs no promise, microtask or suspended frame.
 *
 * @example const grant = isThenable(asked) ? await asked : asked;
 */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}
