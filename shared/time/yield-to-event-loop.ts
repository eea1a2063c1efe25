/**
 * Lets the event loop run timers, I/O and requests that arrived meanwhile before a long job goes on: a
 * macrotask (a timer), not a microtask, which would run before any of them.
 * @example await yieldToEventLoop(); // between two phases of a long parse
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
