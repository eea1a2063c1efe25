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

/**
 * The idle timeout for a committed stream: idleSecondsUntil's, but 0 (no idle limit) when its deadline is
 * past Bun's 255 s maximum. Bun's idle timer does not restart on the server's own writes (a response
 * writing every 200 ms under idleTimeout 2 is cut after ~4 s; Bun 1.4.5), so capped at 255 s a stream
 * allowed to run longer (a deployment's timeouts.totalMs up to an hour, or a chain's totals added up)
 * was cut mid-answer however busily it wrote. Its own deadline, which counts the client's reading, ends
 * it instead.
 *
 * @example streamIdleSeconds(Date.now() + 120_000) // 125
 * @example streamIdleSeconds(Date.now() + 600_000) // 0
 */
export function streamIdleSeconds(deadlineMs: number, now = Date.now()): number {
  const seconds = Math.max(0, Math.ceil((deadlineMs - now) / 1000)) + AFTER_DEADLINE_SECONDS;
  return seconds > MAX_IDLE_SECONDS ? 0 : seconds;
}
