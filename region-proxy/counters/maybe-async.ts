/**
 * What the counters answer: a value at once when they live in this process, a promise when they must
 * wait (Redis, a lease being asked for). Callers wait only on what is a promise (shared/is-thenable.ts),
 * so the in-process counters cost the request path no promise, no microtask and no suspended frame. A
 * failure is always a rejected promise, never a throw, so callers handle it in one place as before.
 */
export type MaybeAsync<T> = T | Promise<T>;
