/**
 * A server idle timeout (whole seconds) that outlasts a request's deadline: what is left of it plus
 * 5 s, so the gateway's own deadline, not the socket's idle timer, ends a silent vendor call and says
 * why; Bun's maximum is 255 s.
 *
 * @example idleSecondsUntil(Date.now() + 120_000) // 125
 */
const MAX_IDLE_SECONDS = 255;
const AFTER_DEADLINE_SECONDS = 5;
/**
 * The longest deadline a request that writes nothing until its answer (non-streamed) can be held to:
 * past it the server's idle limit would close the client's socket before the gateway's own deadline
 * answered.
 */
export const LONGEST_SILENT_DEADLINE_MS = (MAX_IDLE_SECONDS - AFTER_DEADLINE_SECONDS) * 1000;

export function idleSecondsUntil(deadlineMs: number, now = Date.now()): number {
  return Math.min(MAX_IDLE_SECONDS, Math.max(0, Math.ceil((deadlineMs - now) / 1000)) + AFTER_DEADLINE_SECONDS);
}
