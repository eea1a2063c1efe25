import { describe, expect, test } from "bun:test";
import { createMemoryRateLimiter } from "./memory-rate-limiter.ts";
import { describeRateLimiter } from "./rate-limiter.suite.ts";

describeRateLimiter("in-process", {
  async pair() {
    const limiter = createMemoryRateLimiter();
    return [limiter, limiter];
  },
});

describe("in-process rate limiter, idle levels", () => {
  test("with many live levels, requests do not each scan the table: sweeps stay rare", async () => {
    const sweeps: { visited: number; dropped: number }[] = [];
    const limiter = createMemoryRateLimiter({ sweepAbove: 10, onSweep: (s) => sweeps.push(s) });
    const now = 1_000_000;
    // 200 keys at 1 RPM: each level stays live for a minute, so no sweep can drop them.
    for (let i = 0; i < 200; i++) await limiter.acquire([{ scope: `key:${i}`, rpm: 1 }], 0, now);
    // 2,000 more requests on levels that already exist.
    for (let i = 0; i < 2_000; i++) await limiter.acquire([{ scope: `key:${i % 200}`, rpm: 1 }], 0, now + 1);
    const visited = sweeps.reduce((sum, s) => sum + s.visited, 0);
    // Sweeping at 11, 22, 44, 88, 176 entries: under 400 visits. Scanning on every request over 10: 400,000.
    expect(visited).toBeLessThan(400);
    expect(sweeps.every((s) => s.dropped === 0)).toBe(true);
  });

  test("idle levels are still dropped once the table grows again", async () => {
    const sweeps: { visited: number; dropped: number }[] = [];
    const limiter = createMemoryRateLimiter({ sweepAbove: 10, onSweep: (s) => sweeps.push(s) });
    const now = 1_000_000;
    // 100 levels at 60,000 RPM: each is full again 1 ms after its request.
    for (let i = 0; i < 100; i++) await limiter.acquire([{ scope: `idle:${i}`, rpm: 60_000 }], 0, now);
    const droppedBefore = sweeps.reduce((sum, s) => sum + s.dropped, 0);
    for (let i = 0; i < 100; i++) await limiter.acquire([{ scope: `later:${i}`, rpm: 60_000 }], 0, now + 10_000);
    const dropped = sweeps.reduce((sum, s) => sum + s.dropped, 0) - droppedBefore;
    expect(dropped).toBeGreaterThanOrEqual(90);
    // A dropped level is a full bucket: the next request on it is allowed.
    expect((await limiter.acquire([{ scope: "idle:0", rpm: 60_000 }], 0, now + 10_000)).allowed).toBe(true);
  });
});

describe("in-process rate limiter, use admitted elsewhere (charge) and a replica's share", () => {
  const T0 = 1_764_000_000_000;

  test("charge counts requests and tokens up to a full bucket without refusing, and later answers count them", async () => {
    const limiter = createMemoryRateLimiter({ share: 0.5 });
    const checks = [{ scope: "key:mirrored", rpm: 20, tpm: 10_000 }];
    // At share 0.5 this limiter enforces 10 requests and 5,000 tokens; 12 requests of 500 were admitted elsewhere.
    for (let i = 0; i < 12; i++) limiter.charge(checks, 1, 500, T0);
    limiter.charge(checks, 0, -1_000, T0);
    const verdict = await limiter.acquire(checks, 0, T0);
    expect(verdict.allowed).toBe(false);
    // Counted up to a full bucket (one period ahead), as Redis's bucket never goes past: 12 read as 10.
    expect(verdict.requests).toEqual({ limit: 10, remaining: 0, resetMs: 60_000 });
    expect(verdict.tokens).toEqual({ limit: 5_000, remaining: 1_000, resetMs: 48_000 });
    // A refund never goes past a full bucket: 5,000 fit again, and not one token more.
    limiter.charge(checks, 0, -1_000_000, T0);
    const tokensOnly = [{ scope: "key:mirrored", tpm: 10_000 }];
    expect((await limiter.acquire(tokensOnly, 5_000, T0)).allowed).toBe(true);
    expect((await limiter.acquire(tokensOnly, 1, T0)).allowed).toBe(false);
  });

  test("a request larger than the share (not the limit) is refused for good, at the share's limit", async () => {
    const limiter = createMemoryRateLimiter({ share: 0.5 });
    const checks = [{ scope: "key:share", tpm: 10_000 }];
    const tooLarge = await limiter.acquire(checks, 6_000, T0);
    expect(tooLarge).toMatchObject({ allowed: false, forGood: true, tripped: { scope: "key:share", kind: "tokens", limit: 5_000 } });
    expect(tooLarge.tokens!.limit).toBe(5_000);
    expect((await limiter.acquire(checks, 5_000, T0)).allowed).toBe(true);
    const waits = await limiter.acquire(checks, 5_000, T0);
    expect(waits).toMatchObject({ allowed: false, tripped: { scope: "key:share", kind: "tokens", limit: 5_000 } });
    expect(waits.forGood).toBeUndefined();
  });

  test("an hour at twice the share, charged in, refuses for at most one period, not for the hour", async () => {
    // One replica of two served the region's whole limit for an hour (uneven balancing): 20 requests a
    // minute of 1,000 tokens each, every one admitted elsewhere and charged here at its share (10, 10,000).
    const limiter = createMemoryRateLimiter({ share: 0.5 });
    const checks = [{ scope: "key:uneven-hour", rpm: 20, tpm: 20_000 }];
    for (let i = 0; i < 1200; i++) {
      limiter.charge(checks, 1, 500, T0 + i * 3_000);
      limiter.charge(checks, 0, 500, T0 + i * 3_000);
    }
    const now = T0 + 3_600_000;
    const first = await limiter.acquire(checks, 0, now);
    expect(first.allowed).toBe(false);
    // Both levels full as of the last request, 3 s ago (before: 3,600,000 ms, the whole hour's debt).
    expect(first.requests).toEqual({ limit: 10, remaining: 0, resetMs: 57_000 });
    expect(first.tokens).toEqual({ limit: 10_000, remaining: 500, resetMs: 57_000 });
    expect(first.retryAfterMs).toBe(3_000);
    // One request's interval (6 s) after the last one it admits again, at its share.
    expect((await limiter.acquire(checks, 1_000, now + 3_000)).allowed).toBe(true);
  });

  test("a charge never lowers a level past one period that the limiter's own corrections ran up", async () => {
    const limiter = createMemoryRateLimiter();
    const checks = [{ scope: "key:own-debt", tpm: 1_000 }];
    expect((await limiter.acquire(checks, 1_000, T0)).allowed).toBe(true);
    // Its own admission's answer was three times the estimate: two periods of debt beyond a full bucket.
    await limiter.adjustTokens(checks, 2_000, T0);
    limiter.charge(checks, 0, 100, T0);
    const verdict = await limiter.acquire(checks, 0, T0);
    expect(verdict.tokens).toEqual({ limit: 1_000, remaining: 0, resetMs: 180_000 });
  });

  test("charge rejects a bad limit or count before writing any level", () => {
    const limiter = createMemoryRateLimiter();
    expect(() => limiter.charge([{ scope: "a", rpm: 1 }, { scope: "b", rpm: Number.NaN }], 1, 0, T0)).toThrow(TypeError);
    expect(() => limiter.charge([{ scope: "a", tpm: 1 }], 0, 0.5, T0)).toThrow(TypeError);
  });
});
