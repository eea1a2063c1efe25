/**
 * A burst of exactly `rpm` requests in one millisecond is admitted whole, and the next is refused, for
 * every rpm 1..400, by both limiters, at epoch-millisecond times: each admission adds 60000 / rpm to a
 * TAT near 1.76e12 ms, whose float spacing (~2.4e-4 ms) rounds the sum past now + 60000 by a few ulps
 * for many rpm values, so an epsilon below that spacing refused the last request after the previous
 * answer said 1 remaining (rpm 9, 14, 17, 19, ...). The headers count down to 0 along the way.
 * A token level is the same arithmetic with cost = tokens (tpm = n, n requests of 1 token); the two
 * limiters run the same arithmetic (limiter-differential.test.ts), so Redis is scanned for rpm only.
 */
import { expect, test } from "bun:test";
import { useRedisReplicaPair } from "../../test/support/redis.ts";
import { createMemoryRateLimiter } from "./memory-rate-limiter.ts";
import { createRedisRateLimiter } from "./redis-rate-limiter.ts";
import type { LimitCheck, LimitVerdict, RateLimiter } from "./rate-limit-types.ts";

const replicas = useRedisReplicaPair();
const MAX = 400;

/** What went wrong at `n` (the limit), or null: n + 1 acquires at one instant, sent at once (one connection keeps their order). */
async function burst(limiter: RateLimiter, checks: LimitCheck[], tokens: number, n: number, now: number, kind: "requests" | "tokens"): Promise<string | null> {
  const verdicts: LimitVerdict[] = await Promise.all(Array.from({ length: n + 1 }, () => limiter.acquire(checks, tokens, now)));
  for (let i = 0; i < n; i++) {
    const v = verdicts[i]!;
    if (!v.allowed) return `request ${i + 1} of ${n} refused (retry ${v.retryAfterMs} ms) after ${i === 0 ? "none" : `remaining ${verdicts[i - 1]![kind]!.remaining}`}`;
    if (v[kind]!.remaining !== n - 1 - i) return `request ${i + 1} of ${n} says remaining ${v[kind]!.remaining}`;
  }
  return verdicts[n]!.allowed ? `request ${n + 1} admitted past ${n}` : null;
}

/** Every limit 1..MAX at `now`, on scopes of its own, a batch of limits at a time (each burst on its own level). */
async function scan(limiter: RateLimiter, now: number, kind: "requests" | "tokens"): Promise<string[]> {
  const wrong: string[] = [];
  for (let from = 1; from <= MAX; from += 50) {
    const found = await Promise.all(
      Array.from({ length: Math.min(50, MAX - from + 1) }, (_, i) => {
        const n = from + i;
        const checks = kind === "requests" ? [{ scope: `key:r${n}@${now}`, rpm: n }] : [{ scope: `key:t${n}@${now}`, tpm: n }];
        return burst(limiter, checks, kind === "requests" ? 0 : 1, n, now, kind).then((w) => (w ? `${kind === "requests" ? "rpm" : "tpm"} ${n} @${now}: ${w}` : null));
      }),
    );
    for (const w of found) if (w) wrong.push(w);
  }
  return wrong;
}

test(`both limiters, rpm 1..${MAX}: a one-millisecond burst of exactly the limit is admitted whole, counting down to 0, and the next is refused`, async () => {
  const [redis] = replicas.pair((r, prefix) => createRedisRateLimiter(r, { prefix }));
  const now = 1_764_000_000_123;
  expect(await scan(createMemoryRateLimiter(), now, "requests")).toEqual([]);
  expect(await scan(redis, now, "requests")).toEqual([]);
});

test(`in-process, rpm and tpm 1..${MAX}, past 2^41 ms (2039: twice the float spacing) too`, async () => {
  const limiter = createMemoryRateLimiter();
  for (const now of [1_764_000_000_123, 2_500_000_000_007]) {
    expect(await scan(limiter, now, "requests")).toEqual([]);
    expect(await scan(limiter, now, "tokens")).toEqual([]);
  }
});
