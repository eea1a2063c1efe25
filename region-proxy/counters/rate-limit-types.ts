/**
 * The rate-limit contract shared by the Redis and in-process limiters (and the resilient wrapper).
 * A request names every level it belongs to (key, project, team, org, feature); it passes only if every
 * level allows it, and a refused request charges no level.
 */
import type { MaybeAsync } from "./maybe-async.ts";

/** One level to check. `rpm`/`tpm` null or absent = no limit of that kind at this level. */
export interface LimitCheck {
  /** e.g. "key:key_abc", "ten:ten_123", "feature:ten_123/search". */
  scope: string;
  rpm?: number | null;
  tpm?: number | null;
}

/** The limiter's answer; a value, never an exception, for "too many". */
export interface LimitVerdict {
  allowed: boolean;
  /**
   * When refused: which scope and which kind tripped (the one that frees up last), and its limit as
   * enforced (while Redis is down, this replica's share of the limit asked: what the headers show).
   */
  tripped: { scope: string; kind: "requests" | "tokens"; limit: number } | null;
  /** 0 when allowed; otherwise the wait until every refusing level would admit this request. */
  retryAfterMs: number;
  /**
   * Set when refused at a level no wait can make admit this request: its limit as enforced is 0 (the
   * level allows no requests), or, for tokens, below the request's estimate ("Request too large").
   * `tripped` is then that level, and `retryAfterMs` means nothing: answer x-should-retry: false.
   */
  forGood?: true;
  /** For the x-ratelimit-* headers: the tightest level per kind (null when no level limits that kind). */
  requests: LimitWindow | null;
  tokens: LimitWindow | null;
}

/** Header values for one level: `resetMs` is the wait until that level is fully replenished. */
export interface LimitWindow {
  limit: number;
  remaining: number;
  resetMs: number;
}

/** Both answer at once in memory and with a promise from Redis; a failure is a rejected promise (maybe-async.ts). */
export interface RateLimiter {
  /** Atomically checks every level and, only if all allow, charges 1 request and `estimatedTokens`. */
  acquire(checks: LimitCheck[], estimatedTokens: number, nowMs?: number): MaybeAsync<LimitVerdict>;
  /**
   * After the call: correct the token charge by (actual - estimated) at every level (may be negative).
   * `admitted` is the verdict of the acquire being corrected: a limiter with two sides (the resilient
   * counters: Redis, or the in-process fallback while Redis fails) corrects the side that charged it.
   */
  adjustTokens(checks: LimitCheck[], deltaTokens: number, nowMs?: number, admitted?: LimitVerdict): MaybeAsync<void>;
}

/** The Redis limiter's: every answer is a round trip, so a promise. */
export interface RemoteRateLimiter extends RateLimiter {
  acquire(checks: LimitCheck[], estimatedTokens: number, nowMs?: number): Promise<LimitVerdict>;
  adjustTokens(checks: LimitCheck[], deltaTokens: number, nowMs?: number, admitted?: LimitVerdict): Promise<void>;
}

/** Both limits are per minute. */
export const LIMIT_PERIOD_MS = 60_000;
