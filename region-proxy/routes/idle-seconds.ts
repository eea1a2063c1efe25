/**
 * A server idle timeout (whole seconds) that outlasts a request's deadline: what is left of it plus
 * 5 s, so the gateway's own deadline, not the socket's idle timer, ends a silent vendor call and says
 * why; Bun's maximum is 255 s.
 *
 * @example idleSecondsUntil(Date.now() + 120_000) // 125
 */
const MAX_IDLE_SECONDS = 255;
const AFTER_DEADLINE_SECONDS = 5;

export function idleSecondsUntil(deadlineMs: number, now = Date.now()): number {
  return Math.min(MAX_IDLE_SECONDS, Math.max(0, Math.ceil((deadlineMs - now) / 1000)) + AFTER_DEADLINE_SECONDS);
}
