/**
 * Turns LimitChecks into the flat list of buckets both limiters work on, and per-bucket results back
 * into one LimitVerdict, so the Redis and in-process limiters cannot disagree on the verdict's shape.
 */
import type { LimitCheck, LimitVerdict, LimitWindow } from "./rate-limit-types.ts";

export interface LimitBucket {
  scope: string;
  kind: "requests" | "tokens";
  limit: number;
}

export interface BucketOutcome {
  retryAfterMs: number;
  remaining: number;
  resetMs: number;
}

/** Every (scope, kind) with a limit, in check order, requests before tokens. Rejects non-numeric limits. */
export function limitBuckets(checks: LimitCheck[]): LimitBucket[] {
  const buckets: LimitBucket[] = [];
  for (const check of checks) {
    addBucket(buckets, check.scope, "requests", check.rpm);
    addBucket(buckets, check.scope, "tokens", check.tpm);
  }
  return buckets;
}

function addBucket(buckets: LimitBucket[], scope: string, kind: LimitBucket["kind"], limit: number | null | undefined): void {
  if (limit === null || limit === undefined) return;
  assertLimit(scope, kind, limit);
  buckets.push({ scope, kind, limit });
}

/** Rejects a limit the arithmetic cannot honour (NaN, infinite, negative); null or absent is no limit. */
export function assertLimit(scope: string, kind: LimitBucket["kind"], limit: number | null | undefined): void {
  if (limit === null || limit === undefined) return;
  if (!Number.isFinite(limit) || limit < 0) throw new TypeError(`invalid ${kind} limit for ${scope}: ${limit}`);
}

/** Rejects token counts the arithmetic cannot honour (NaN, fractions, beyond 2^53). */
export function assertTokenCount(name: string, value: number, allowNegative: boolean): void {
  if (!Number.isSafeInteger(value) || (!allowNegative && value < 0)) throw new TypeError(`invalid ${name}: ${value}`);
}

/**
 * Builds the verdict from buckets with their limits as enforced (`estimatedTokens`: the request's token
 * charge): refused when any bucket's retryAfterMs > 0; `tripped` is the bucket that frees up last (so
 * retrying after retryAfterMs is not refused by the same request again), or the first that no wait
 * frees (`forGood`: a zero limit, or a token limit below the estimate), and the headers show the
 * tightest bucket per kind (fewest remaining, then lowest limit).
 */
export function buildVerdict(buckets: LimitBucket[], outcomes: BucketOutcome[], estimatedTokens: number): LimitVerdict {
  let tripped: LimitVerdict["tripped"] = null;
  let retryAfterMs = 0;
  let forGood = false;
  const tightest: Record<"requests" | "tokens", LimitWindow | null> = { requests: null, tokens: null };
  for (let i = 0; i < buckets.length; i++) {
    const bucket = buckets[i]!;
    const outcome = outcomes[i]!;
    if (!forGood && outcome.retryAfterMs > 0 && (bucket.limit <= 0 || (bucket.kind === "tokens" && estimatedTokens > bucket.limit))) {
      tripped = { scope: bucket.scope, kind: bucket.kind, limit: bucket.limit };
      forGood = true;
    }
    if (outcome.retryAfterMs > retryAfterMs) {
      retryAfterMs = outcome.retryAfterMs;
      if (!forGood) tripped = { scope: bucket.scope, kind: bucket.kind, limit: bucket.limit };
    }
    const current = tightest[bucket.kind];
    if (!current || outcome.remaining < current.remaining || (outcome.remaining === current.remaining && bucket.limit < current.limit)) {
      tightest[bucket.kind] = { limit: bucket.limit, remaining: outcome.remaining, resetMs: outcome.resetMs };
    }
  }
  const verdict: LimitVerdict = { allowed: tripped === null, tripped, retryAfterMs, requests: tightest.requests, tokens: tightest.tokens };
  if (forGood) verdict.forGood = true;
  return verdict;
}
