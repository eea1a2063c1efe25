/**
 * Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"): the n-th
 * retry of one deployment waits a uniform random time in [0, min(cap, base · 2^(n-1))], so replicas
 * that failed together do not retry together.
 *
 * @example fullJitterMs(1, { baseMs: 100, capMs: 2_000 }) // somewhere in [0, 100]
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 100, capMs: 2_000 };

export function fullJitterMs(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}
