/**
 * The one test suite every RateLimiter must pass (in-process and Redis run the same assertions).
 * `pair()` returns two limiters that share state as two replicas would (for the in-process limiter,
 * the same instance twice: it has no other way to share).
 */
import { describe, expect, test } from "bun:test";
import { GCRA_MAX_WAIT_MS } from "./gcra.ts";
import type { LimitCheck, RateLimiter } from "./rate-limit-types.ts";

export interface RateLimiterHarness {
  pair(): Promise<[RateLimiter, RateLimiter]>;
}

const T0 = 1_764_000_000_000;

export function describeRateLimiter(name: string, harness: RateLimiterHarness): void {
  describe(`${name} rate limiter`, () => {
    test("200 concurrent acquires from two replicas on 60 rpm admit exactly 60", async () => {
      const [a, b] = await harness.pair();
      const checks: LimitCheck[] = [{ scope: "key:key_conc", rpm: 60 }];
      const verdicts = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).acquire(checks, 0, T0)));
      const allowed = verdicts.filter((v) => v.allowed);
      expect(allowed.length).toBe(60);
      for (const v of verdicts.filter((v) => !v.allowed)) {
        expect(v.tripped).toEqual({ scope: "key:key_conc", kind: "requests", limit: 60 });
        expect(v.retryAfterMs).toBe(1000);
        expect(v.requests).toEqual({ limit: 60, remaining: 0, resetMs: 60_000 });
      }
      expect(allowed.map((v) => v.requests!.remaining).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    });

    test("remaining, reset and retry-after follow the refill, in fake time", async () => {
      const [limiter] = await harness.pair();
      const checks = [{ scope: "key:key_time", rpm: 60 }];
      const first = await limiter.acquire(checks, 0, T0);
      expect(first).toEqual({ allowed: true, tripped: null, retryAfterMs: 0, requests: { limit: 60, remaining: 59, resetMs: 1000 }, tokens: null });
      for (let i = 0; i < 59; i++) expect((await limiter.acquire(checks, 0, T0)).allowed).toBe(true);
      const refused = await limiter.acquire(checks, 0, T0 + 250);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBe(750);
      expect(refused.requests).toEqual({ limit: 60, remaining: 0, resetMs: 59_750 });
      const later = await limiter.acquire(checks, 0, T0 + 1000);
      expect(later.allowed).toBe(true);
      expect(later.requests).toEqual({ limit: 60, remaining: 0, resetMs: 60_000 });
      const muchLater = await limiter.acquire(checks, 0, T0 + 31_000);
      expect(muchLater.requests).toEqual({ limit: 60, remaining: 29, resetMs: 31_000 });
    });

    test("tokens per minute: charge, refusal with exact retry, tightest level in the headers", async () => {
      const [limiter] = await harness.pair();
      const checks = [{ scope: "key:key_tok", rpm: 100, tpm: 1000 }, { scope: "org:ten_tok", rpm: 10, tpm: 5000 }];
      const first = await limiter.acquire(checks, 400, T0);
      expect(first.allowed).toBe(true);
      expect(first.tokens).toEqual({ limit: 1000, remaining: 600, resetMs: 24_000 });
      expect(first.requests).toEqual({ limit: 10, remaining: 9, resetMs: 6000 });
      const refused = await limiter.acquire(checks, 700, T0);
      expect(refused.allowed).toBe(false);
      expect(refused.tripped).toEqual({ scope: "key:key_tok", kind: "tokens", limit: 1000 });
      expect(refused.forGood).toBeUndefined();
      expect(refused.retryAfterMs).toBe(6000);
      expect((await limiter.acquire(checks, 700, T0 + 6000)).allowed).toBe(true);
    });

    test("a request refused at one level charges no other level", async () => {
      const [limiter] = await harness.pair();
      const key = { scope: "key:key_multi", rpm: 5, tpm: 10_000 };
      const org = { scope: "org:ten_multi", rpm: 2, tpm: 100 };
      expect((await limiter.acquire([key, org], 50, T0)).allowed).toBe(true);
      expect((await limiter.acquire([key, org], 50, T0)).allowed).toBe(true);
      const byRequests = await limiter.acquire([key, org], 0, T0);
      expect(byRequests.tripped).toEqual({ scope: "org:ten_multi", kind: "requests", limit: 2 });
      const byTokens = await limiter.acquire([key, { scope: "team:t_multi", tpm: 10 }], 500, T0);
      expect(byTokens.tripped).toEqual({ scope: "team:t_multi", kind: "tokens", limit: 10 });
      // 500 tokens at a level of 10 a minute: no wait helps.
      expect(byTokens.forGood).toBe(true);
      // The key level saw 2 admitted requests and 100 tokens, nothing from the two refusals.
      const keyOnly = await limiter.acquire([key], 0, T0);
      expect(keyOnly.requests).toEqual({ limit: 5, remaining: 2, resetMs: 36_000 });
      expect(keyOnly.tokens).toEqual({ limit: 10_000, remaining: 9900, resetMs: 600 });
    });

    test("adjustTokens refunds and charges debt at every token level", async () => {
      const [limiter] = await harness.pair();
      const checks = [{ scope: "key:key_adj", tpm: 1000 }, { scope: "org:ten_adj", tpm: 2000 }];
      await limiter.acquire(checks, 500, T0);
      await limiter.adjustTokens(checks, -300, T0);
      expect((await limiter.acquire(checks, 0, T0)).tokens).toEqual({ limit: 1000, remaining: 800, resetMs: 12_000 });
      await limiter.adjustTokens(checks, -5000, T0);
      expect((await limiter.acquire(checks, 0, T0)).tokens).toEqual({ limit: 1000, remaining: 1000, resetMs: 0 });
      await limiter.adjustTokens(checks, 1200, T0);
      const inDebt = await limiter.acquire(checks, 0, T0);
      expect(inDebt.allowed).toBe(false);
      expect(inDebt.tripped).toEqual({ scope: "key:key_adj", kind: "tokens", limit: 1000 });
      expect(inDebt.retryAfterMs).toBe(12_000);
      const orgOnly = await limiter.acquire([checks[1]!], 0, T0);
      expect(orgOnly.tokens).toEqual({ limit: 2000, remaining: 800, resetMs: 36_000 });
    });

    test("without nowMs the limiter keeps its own clock; no limits means allowed", async () => {
      const [a, b] = await harness.pair();
      const checks = [{ scope: "key:key_clock", rpm: 2 }];
      expect((await a.acquire(checks, 0)).allowed).toBe(true);
      expect((await b.acquire(checks, 0)).allowed).toBe(true);
      const refused = await a.acquire(checks, 0);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(25_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(30_000);
      const open = await a.acquire([{ scope: "key:key_free", rpm: null, tpm: null }], 10);
      expect(open).toEqual({ allowed: true, tripped: null, retryAfterMs: 0, requests: null, tokens: null });
    });

    test("a huge token estimate is refused at the token level, with the longest wait there is, and charges nothing", async () => {
      const [limiter] = await harness.pair();
      const checks = [{ scope: "key:key_huge", rpm: 10, tpm: 1 }];
      const refused = await limiter.acquire(checks, Number.MAX_SAFE_INTEGER, T0);
      // 2^53 tokens at 1 per minute is a wait of ~5e20 ms: past what a Redis integer reply can carry.
      expect(refused).toEqual({
        allowed: false,
        tripped: { scope: "key:key_huge", kind: "tokens", limit: 1 },
        retryAfterMs: GCRA_MAX_WAIT_MS,
        forGood: true,
        requests: { limit: 10, remaining: 10, resetMs: 0 },
        tokens: { limit: 1, remaining: 1, resetMs: 0 },
      });
      // The refusal charged nothing: a one-token request still fits.
      expect((await limiter.acquire(checks, 1, T0)).allowed).toBe(true);
    });

    test("a huge token debt is recorded, not an error, and refuses until it drains", async () => {
      const [limiter] = await harness.pair();
      const checks = [{ scope: "key:key_debt", tpm: 1000 }];
      await limiter.adjustTokens(checks, Number.MAX_SAFE_INTEGER, T0);
      const inDebt = await limiter.acquire(checks, 0, T0 + 60_000);
      expect(inDebt.allowed).toBe(false);
      expect(inDebt.tripped).toEqual({ scope: "key:key_debt", kind: "tokens", limit: 1000 });
      // A debt drains: not for good, however long.
      expect(inDebt.forGood).toBeUndefined();
      expect(inDebt.retryAfterMs).toBeGreaterThan(1e15);
      expect(inDebt.tokens).toMatchObject({ limit: 1000, remaining: 0 });
      expect(inDebt.tokens!.resetMs).toBeGreaterThan(1e15);
      expect(inDebt.tokens!.resetMs).toBeLessThanOrEqual(GCRA_MAX_WAIT_MS);
    });

    test("a raised RPM keeps what was used: 2 of 2, raised to 100, admits with 97 left", async () => {
      const [a, b] = await harness.pair();
      const scope = "key:key_raise";
      for (let i = 0; i < 2; i++) expect((await a.acquire([{ scope, rpm: 2 }], 0, T0)).allowed).toBe(true);
      expect((await a.acquire([{ scope, rpm: 2 }], 0, T0)).allowed).toBe(false);
      const raised = await b.acquire([{ scope, rpm: 100 }], 0, T0);
      expect(raised).toEqual({ allowed: true, tripped: null, retryAfterMs: 0, requests: { limit: 100, remaining: 97, resetMs: 1800 }, tokens: null });
    });

    test("a lowered RPM keeps what was used: 20 of 100, lowered to 2, refuses until 19 drain at 2 per minute", async () => {
      const [a, b] = await harness.pair();
      const scope = "key:key_lower";
      for (let i = 0; i < 20; i++) expect((await a.acquire([{ scope, rpm: 100 }], 0, T0)).allowed).toBe(true);
      const refused = await b.acquire([{ scope, rpm: 2 }], 0, T0);
      expect(refused).toMatchObject({ allowed: false, retryAfterMs: 570_000, requests: { limit: 2, remaining: 0, resetMs: 600_000 } });
      // The refusal kept the use in the new limit's units: 12 s later (when 100 per minute would have
      // drained all 20) it still drains at 2 per minute.
      const later = await a.acquire([{ scope, rpm: 2 }], 0, T0 + 12_000);
      expect(later).toMatchObject({ allowed: false, retryAfterMs: 558_000 });
      expect((await b.acquire([{ scope, rpm: 2 }], 0, T0 + 570_000)).allowed).toBe(true);
    });

    test("a limit lowered and raised back without an admitted request gives the use back unchanged", async () => {
      const [limiter] = await harness.pair();
      const scope = "key:key_back";
      for (let i = 0; i < 20; i++) await limiter.acquire([{ scope, rpm: 100 }], 0, T0);
      expect((await limiter.acquire([{ scope, rpm: 2 }], 0, T0)).allowed).toBe(false);
      expect((await limiter.acquire([{ scope, rpm: 0 }], 0, T0)).allowed).toBe(false);
      expect((await limiter.acquire([{ scope, rpm: 100 }], 0, T0)).requests).toEqual({ limit: 100, remaining: 79, resetMs: 12_600 });
    });

    test("a changed TPM keeps the tokens used, for acquire and for the settle-time adjustment", async () => {
      const [a, b] = await harness.pair();
      const scope = "key:key_tpm";
      await a.acquire([{ scope, tpm: 1000 }], 400, T0);
      expect((await b.acquire([{ scope, tpm: 2000 }], 0, T0)).tokens).toEqual({ limit: 2000, remaining: 1600, resetMs: 12_000 });
      await a.adjustTokens([{ scope, tpm: 500 }], -100, T0);
      expect((await b.acquire([{ scope, tpm: 500 }], 0, T0)).tokens).toEqual({ limit: 500, remaining: 200, resetMs: 36_000 });
      await a.adjustTokens([{ scope, tpm: 1000 }], 800, T0);
      const inDebt = await b.acquire([{ scope, tpm: 1000 }], 0, T0);
      expect(inDebt).toMatchObject({ allowed: false, retryAfterMs: 6000, tokens: { limit: 1000, remaining: 0, resetMs: 66_000 } });
    });

    test("a zero limit refuses; bad numbers are a programming error", async () => {
      const [limiter] = await harness.pair();
      const zero = await limiter.acquire([{ scope: "key:key_zero", rpm: 0 }], 0, T0);
      expect(zero).toMatchObject({ allowed: false, retryAfterMs: 60_000, tripped: { scope: "key:key_zero", kind: "requests", limit: 0 }, forGood: true });
      // The zero level is named whatever the other levels' waits; a level that only waits is not for good.
      expect((await limiter.acquire([{ scope: "key:key_full", rpm: 1 }], 0, T0)).allowed).toBe(true);
      const both = await limiter.acquire([{ scope: "key:key_full", rpm: 1 }, { scope: "team:zero", tpm: 0 }], 0, T0);
      expect(both).toMatchObject({ allowed: false, tripped: { scope: "team:zero", kind: "tokens", limit: 0 }, forGood: true });
      const waits = await limiter.acquire([{ scope: "key:key_full", rpm: 1 }], 0, T0);
      expect(waits.allowed).toBe(false);
      expect(waits.forGood).toBeUndefined();
      await expect(limiter.acquire([{ scope: "key:key_bad", rpm: Number.NaN }], 0, T0)).rejects.toThrow(TypeError);
      await expect(limiter.acquire([{ scope: "key:key_bad", rpm: 1 }], -1, T0)).rejects.toThrow(TypeError);
    });
  });
}
