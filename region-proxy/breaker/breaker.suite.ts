/**
 * The one test suite every CircuitBreaker must pass, in fake time. `pair()` returns two breakers that
 * share state as two replicas of a region would (the in-process one: the same instance twice).
 */
import { describe, expect, test } from "bun:test";
import type { BreakerOptions, CircuitBreaker } from "./breaker-types.ts";

export interface BreakerHarness {
  pair(options?: BreakerOptions): Promise<[CircuitBreaker, CircuitBreaker]>;
}

const T0 = 1_764_000_000_000;

export function describeBreaker(name: string, harness: BreakerHarness): void {
  describe(`${name} circuit breaker`, () => {
    test("opens after 3 consecutive failures and stays open for the cool-down", async () => {
      const [a, b] = await harness.pair();
      await a.onFailure("dep_x", T0);
      await b.onFailure("dep_x", T0);
      expect(await a.canAttempt("dep_x", T0)).toBe(true);
      await a.onFailure("dep_x", T0);
      expect(await b.canAttempt("dep_x", T0)).toBe(false);
      expect(await b.canAttempt("dep_x", T0 + 29_999)).toBe(false);
      expect(await a.canAttempt("dep_other", T0)).toBe(true);
    });

    test("a success resets the consecutive count", async () => {
      const [a, b] = await harness.pair();
      await a.onFailure("dep_y", T0);
      await a.onFailure("dep_y", T0);
      await b.onSuccess("dep_y", T0);
      await a.onFailure("dep_y", T0);
      await b.onFailure("dep_y", T0);
      expect(await a.canAttempt("dep_y", T0)).toBe(true);
    });

    test("a success closes even when another replica counted failures or opened the breaker after this request's attempt", async () => {
      const [a, b] = await harness.pair();
      // A's request starts on a clean deployment; B's failures land while it is in flight.
      expect(await a.canAttempt("dep_s", T0)).toBe(true);
      for (let i = 0; i < 3; i++) await b.onFailure("dep_s", T0);
      expect(await b.canAttempt("dep_s", T0 + 1000)).toBe(false);
      await a.onSuccess("dep_s", T0 + 1000);
      expect(await b.canAttempt("dep_s", T0 + 1000)).toBe(true);

      // Below the threshold too: the success forgets B's count, so two more failures do not open.
      expect(await a.canAttempt("dep_t", T0)).toBe(true);
      await b.onFailure("dep_t", T0);
      await b.onFailure("dep_t", T0);
      await a.onSuccess("dep_t", T0);
      await b.onFailure("dep_t", T0);
      await b.onFailure("dep_t", T0);
      expect(await b.canAttempt("dep_t", T0)).toBe(true);
    });

    test("after the cool-down exactly one of many concurrent callers gets the probe; its success closes", async () => {
      const [a, b] = await harness.pair();
      for (let i = 0; i < 3; i++) await a.onFailure("dep_p", T0);
      const now = T0 + 30_000;
      const grants = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).canAttempt("dep_p", now)));
      expect(grants.filter(Boolean)).toEqual(["probe"]);
      expect(await a.canAttempt("dep_p", now + 1000)).toBe(false);
      await b.onSuccess("dep_p", now + 1500);
      expect(await a.canAttempt("dep_p", now + 1500)).toBe(true);
      expect(await b.canAttempt("dep_p", now + 1500)).toBe(true);
    });

    test("a failed probe re-opens for a whole new cool-down; failures while open change nothing", async () => {
      const [a, b] = await harness.pair();
      for (let i = 0; i < 3; i++) await a.onFailure("dep_f", T0);
      await b.onFailure("dep_f", T0 + 10_000); // a straggler from before the breaker opened
      expect(await a.canAttempt("dep_f", T0 + 30_000)).toBe("probe");
      await a.onFailure("dep_f", T0 + 31_000);
      expect(await b.canAttempt("dep_f", T0 + 60_999)).toBe(false);
      expect(await b.canAttempt("dep_f", T0 + 61_000)).toBe("probe");
      expect(await a.canAttempt("dep_f", T0 + 61_000)).toBe(false);
    });

    test("a probe released without a verdict frees the half-open slot at once; the breaker stays half-open", async () => {
      const [a, b] = await harness.pair();
      for (let i = 0; i < 3; i++) await a.onFailure("dep_r", T0);
      const now = T0 + 30_000;
      expect(await a.canAttempt("dep_r", now)).toBe("probe");
      expect(await b.canAttempt("dep_r", now + 10)).toBe(false);
      await a.releaseProbe("dep_r", now + 20);
      expect(await b.canAttempt("dep_r", now + 20)).toBe("probe");
      expect(await a.canAttempt("dep_r", now + 20)).toBe(false);
      // The second probe's failure re-opens for a whole cool-down, as any probe's would.
      await b.onFailure("dep_r", now + 30);
      expect(await a.canAttempt("dep_r", now + 30_029)).toBe(false);
    });

    test("releasing a probe changes nothing on a closed or still open breaker", async () => {
      const [a, b] = await harness.pair();
      // Closed: the failures counted so far stay counted.
      await a.onFailure("dep_n", T0);
      await a.onFailure("dep_n", T0);
      await b.releaseProbe("dep_n", T0);
      expect(await a.canAttempt("dep_n", T0)).toBe(true);
      await a.onFailure("dep_n", T0);
      expect(await b.canAttempt("dep_n", T0)).toBe(false);
      // Still open (a late release after the probe's failure re-opened it): the cool-down holds.
      expect(await a.canAttempt("dep_n", T0 + 30_000)).toBe("probe");
      await a.onFailure("dep_n", T0 + 30_000);
      await a.releaseProbe("dep_n", T0 + 30_001);
      expect(await b.canAttempt("dep_n", T0 + 59_999)).toBe(false);
      expect(await b.canAttempt("dep_n", T0 + 60_000)).toBe("probe");
      // Never seen: nothing to release.
      await a.releaseProbe("dep_unknown", T0);
      expect(await b.canAttempt("dep_unknown", T0)).toBe(true);
    });

    test("a probe that never reports frees the slot after the probe timeout; options are honoured", async () => {
      const [a, b] = await harness.pair({ failureThreshold: 1, coolDownMs: 1000, probeTimeoutMs: 5000 });
      await a.onFailure("dep_lost", T0);
      expect(await a.canAttempt("dep_lost", T0 + 999)).toBe(false);
      expect(await a.canAttempt("dep_lost", T0 + 1000)).toBe("probe");
      expect(await b.canAttempt("dep_lost", T0 + 5999)).toBe(false);
      expect(await b.canAttempt("dep_lost", T0 + 6000)).toBe("probe");
    });

    test("a probe timeout given per deployment holds each probe's slot for its own deployment's value, read when the probe is granted", async () => {
      const timeouts: Record<string, number> = { dep_long_total: 10_000 };
      // 5000 for any other deployment; a nonsense value (0) counts as unset: the default, 120 s.
      const [a, b] = await harness.pair({ failureThreshold: 1, coolDownMs: 1000, probeTimeoutMs: (depId) => timeouts[depId] ?? 5000 });
      for (const dep of ["dep_long_total", "dep_other_total", "dep_zero_total"]) await a.onFailure(dep, T0);
      expect(await a.canAttempt("dep_long_total", T0 + 1000)).toBe("probe");
      expect(await a.canAttempt("dep_other_total", T0 + 1000)).toBe("probe");
      // Changed after the grant: the slot keeps the value it was granted with.
      timeouts.dep_long_total = 2000;
      expect(await b.canAttempt("dep_other_total", T0 + 5999)).toBe(false);
      expect(await b.canAttempt("dep_other_total", T0 + 6000)).toBe("probe");
      expect(await b.canAttempt("dep_long_total", T0 + 10_999)).toBe(false);
      expect(await b.canAttempt("dep_long_total", T0 + 11_000)).toBe("probe");
      timeouts.dep_zero_total = 0;
      expect(await a.canAttempt("dep_zero_total", T0 + 1000)).toBe("probe");
      expect(await b.canAttempt("dep_zero_total", T0 + 1000 + 119_999)).toBe(false);
      expect(await b.canAttempt("dep_zero_total", T0 + 1000 + 120_000)).toBe("probe");
    });

    test("by default a probe keeps its slot for 120 s (a request's longest run), or the cool-down if longer", async () => {
      const [a, b] = await harness.pair({ failureThreshold: 1, coolDownMs: 1000 });
      await a.onFailure("dep_slow", T0);
      expect(await a.canAttempt("dep_slow", T0 + 1000)).toBe("probe");
      expect(await b.canAttempt("dep_slow", T0 + 1000 + 119_999)).toBe(false);
      expect(await b.canAttempt("dep_slow", T0 + 1000 + 120_000)).toBe("probe");

      const [c, d] = await harness.pair({ failureThreshold: 1, coolDownMs: 200_000 });
      await c.onFailure("dep_long", T0);
      expect(await c.canAttempt("dep_long", T0 + 200_000)).toBe("probe");
      expect(await d.canAttempt("dep_long", T0 + 399_999)).toBe(false);
      expect(await d.canAttempt("dep_long", T0 + 400_000)).toBe("probe");
    });

    test("tells what is left of a cool-down: all of it when just opened, none when closed or half-open", async () => {
      const [a, b] = await harness.pair({ failureThreshold: 2, coolDownMs: 30_000 });
      expect(await a.coolDownLeftMs("dep_w", T0)).toBe(0); // never seen
      await a.onFailure("dep_w", T0);
      expect(await b.coolDownLeftMs("dep_w", T0)).toBe(0); // one failure counted, still closed
      await b.onFailure("dep_w", T0 + 1000);
      expect(await a.coolDownLeftMs("dep_w", T0 + 1000)).toBe(30_000);
      expect(await b.coolDownLeftMs("dep_w", T0 + 21_000)).toBe(10_000);
      expect(await a.canAttempt("dep_w", T0 + 21_000)).toBe(false); // asking changed nothing
      // Half-open, with or without a probe out: the cool-down is over (a probe's verdict may come any moment).
      expect(await a.coolDownLeftMs("dep_w", T0 + 31_000)).toBe(0);
      expect(await a.canAttempt("dep_w", T0 + 31_000)).toBe("probe");
      expect(await b.coolDownLeftMs("dep_w", T0 + 31_500)).toBe(0);
      // The probe failed: a whole new cool-down.
      await a.onFailure("dep_w", T0 + 32_000);
      expect(await b.coolDownLeftMs("dep_w", T0 + 32_000)).toBe(30_000);
      await a.onSuccess("dep_w", T0 + 33_000);
      expect(await b.coolDownLeftMs("dep_w", T0 + 33_000)).toBe(0);
    });

    test("without nowMs the breaker keeps its own clock; nonsense options are refused", async () => {
      const [a, b] = await harness.pair({ failureThreshold: 2, coolDownMs: 60_000 });
      await a.onFailure("dep_clock");
      await b.onFailure("dep_clock");
      expect(await a.canAttempt("dep_clock")).toBe(false);
      const left = await b.coolDownLeftMs("dep_clock");
      expect(left).toBeGreaterThan(59_000);
      expect(left).toBeLessThanOrEqual(60_000);
      await b.onSuccess("dep_clock");
      expect(await a.canAttempt("dep_clock")).toBe(true);
      await expect(harness.pair({ failureThreshold: 0 })).rejects.toThrow(TypeError);
    });
  });
}
