/**
 * Differential test: the in-process and Redis limiters replay the same seeded sequence of acquires
 * and adjustments, with the clock jumping forward and stepping back (replicas' clocks, NTP steps),
 * and must give the same verdicts.
 */
import { expect, test } from "bun:test";
import { useRedisReplicaPair } from "../../test/support/redis.ts";
import { createMemoryRateLimiter } from "./memory-rate-limiter.ts";
import { createRedisRateLimiter } from "./redis-rate-limiter.ts";
import type { LimitCheck } from "./rate-limit-types.ts";

const replicas = useRedisReplicaPair();
const T0 = 1_764_000_000_000;

test("a token level refunded to full, then asked at an earlier clock, is full in both limiters", async () => {
  const [redis] = replicas.pair((r, prefix) => createRedisRateLimiter(r, { prefix }));
  const memory = createMemoryRateLimiter();
  const checks = [{ scope: "key:back", tpm: 600 }];
  for (const limiter of [memory, redis]) {
    await limiter.acquire(checks, 100, T0 + 1000);
    await limiter.adjustTokens(checks, -100, T0 + 1000);
  }
  const [m, r] = [await memory.acquire(checks, 0, T0), await redis.acquire(checks, 0, T0)];
  expect(m).toEqual(r);
  expect(m.tokens).toEqual({ limit: 600, remaining: 600, resetMs: 0 });
});

test("seeded random sequences: the in-process and Redis limiters agree call for call", async () => {
  let seed = 20261127;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  for (let run = 0; run < 60; run++) {
    const [redis] = replicas.pair((r, prefix) => createRedisRateLimiter(r, { prefix }));
    const memory = createMemoryRateLimiter();
    const rpm = pick([1, 7, 60, 0]);
    const tpm = pick([3, 100, 1000, 12_345]);
    let now = T0;
    const trace: string[] = [];
    for (let step = 0; step < 40; step++) {
      now += Math.floor(rnd() * 3000) - (rnd() < 0.15 ? 2500 : 0);
      const checks: LimitCheck[] = [{ scope: "key:k", rpm, tpm }, { scope: "org:o", tpm: pick([50, null]) }];
      if (rnd() < 0.7) {
        const tokens = Math.floor(rnd() * 200);
        trace.push(`acquire(${tokens}) @${now - T0}`);
        const [m, r] = [await memory.acquire(checks, tokens, now), await redis.acquire(checks, tokens, now)];
        expect({ trace, verdict: m }).toEqual({ trace, verdict: r });
      } else {
        const delta = Math.floor(rnd() * 400) - 200;
        trace.push(`adjust(${delta}) @${now - T0}`);
        await memory.adjustTokens(checks, delta, now);
        await redis.adjustTokens(checks, delta, now);
      }
    }
  }
});

test("seeded random sequences with the limits changing between calls: both limiters agree call for call", async () => {
  let seed = 20261203;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  for (let run = 0; run < 30; run++) {
    const [redis] = replicas.pair((r, prefix) => createRedisRateLimiter(r, { prefix }));
    const memory = createMemoryRateLimiter();
    let now = T0;
    const trace: string[] = [];
    for (let step = 0; step < 40; step++) {
      now += Math.floor(rnd() * 3000) - (rnd() < 0.15 ? 2500 : 0);
      const rpm = pick([1, 2, 7, 60, 100, 0]);
      const tpm = pick([3, 100, 1000, 12_345, 0.5]);
      const checks: LimitCheck[] = [{ scope: "key:k", rpm, tpm }, { scope: "org:o", tpm: pick([50, 7, null]) }];
      if (rnd() < 0.7) {
        const tokens = Math.floor(rnd() * 200);
        trace.push(`acquire(${tokens}) rpm ${rpm} tpm ${tpm} @${now - T0}`);
        const [m, r] = [await memory.acquire(checks, tokens, now), await redis.acquire(checks, tokens, now)];
        expect({ trace, verdict: m }).toEqual({ trace, verdict: r });
      } else {
        const delta = Math.floor(rnd() * 400) - 200;
        trace.push(`adjust(${delta}) tpm ${tpm} @${now - T0}`);
        await memory.adjustTokens(checks, delta, now);
        await redis.adjustTokens(checks, delta, now);
      }
    }
  }
});
