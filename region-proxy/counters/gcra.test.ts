import { describe, expect, test } from "bun:test";
import { gcraAdjust, gcraRescale, gcraStep, gcraWindow } from "./gcra.ts";

const P = 60_000;
const NOW = 1_000_000;

/** The TAT of a level that has used `units` of `limit` at NOW. */
const tatAfter = (units: number, limit: number) => NOW + (units * P) / limit;

describe("GCRA after a limit change (the TAT was written under `tatLimit`)", () => {
  test("a raised limit keeps the units used: 2 of 2 used, raised to 100, admits with 97 left", () => {
    const tat = tatAfter(2, 2);
    expect(gcraStep(tat, NOW, 2, 1, P).allowed).toBe(false);
    const step = gcraStep(tat, NOW, 100, 1, P, 2);
    expect(step).toEqual({ allowed: true, newTat: tatAfter(3, 100), retryAfterMs: 0 });
    expect(gcraWindow(step.newTat, NOW, 100, P)).toEqual({ remaining: 97, resetMs: 1800 });
    expect(gcraWindow(tat, NOW, 100, P, 2)).toEqual({ remaining: 98, resetMs: 1200 });
  });

  test("a lowered limit keeps the units used: 20 of 100 used, lowered to 2, refuses until 19 drain at 2 per minute", () => {
    const tat = tatAfter(20, 100);
    const step = gcraStep(tat, NOW, 2, 1, P, 100);
    expect(step).toEqual({ allowed: false, newTat: tatAfter(20, 2), retryAfterMs: 570_000 });
    expect(gcraWindow(tat, NOW, 2, P, 100)).toEqual({ remaining: 0, resetMs: 600_000 });
  });

  test("only the usage still outstanding is rescaled; an idle level is full at any limit", () => {
    const tat = tatAfter(20, 100); // 12 s of use at 100/min
    expect(gcraRescale(tat, NOW + 6000, 100, 2)).toBe(NOW + 6000 + 300_000); // 10 units left, at 2/min
    expect(gcraRescale(tat, NOW + 12_000, 100, 2)).toBe(tat);
    expect(gcraRescale(undefined, NOW, 100, 2)).toBeUndefined();
    expect(gcraWindow(tat, NOW + 20_000, 2, P, 100)).toEqual({ remaining: 2, resetMs: 0 });
  });

  test("adjust corrects in the new limit's units: 400 of 1000 tokens, tpm 500, refund 100, 200 left", () => {
    const tat = tatAfter(400, 1000);
    const adjusted = gcraAdjust(tat, NOW, 500, -100, P, 1000);
    expect(adjusted).toBe(tatAfter(300, 500));
    expect(gcraWindow(adjusted, NOW, 500, P)).toEqual({ remaining: 200, resetMs: 36_000 });
    // A debt stays a debt of the same tokens: 1200 of 1000, raised to 2000, is 1200 of 2000.
    expect(gcraAdjust(tatAfter(1000, 1000), NOW, 2000, 200, P, 1000)).toBe(tatAfter(1200, 2000));
  });

  test("no stored limit (an older proxy's TAT), the same limit, or a zero limit on either side: nothing is rescaled", () => {
    const tat = tatAfter(20, 100);
    expect(gcraRescale(tat, NOW, undefined, 2)).toBe(tat);
    expect(gcraRescale(tat, NOW, 100, 100)).toBe(tat);
    expect(gcraRescale(tat, NOW, 0, 2)).toBe(tat);
    expect(gcraRescale(tat, NOW, 100, 0)).toBe(tat);
    expect(gcraStep(tat, NOW, 2, 1, P)).toEqual(gcraStep(tat, NOW, 2, 1, P, undefined));
    expect(gcraStep(tat, NOW, 0, 1, P, 100)).toEqual({ allowed: false, newTat: tat, retryAfterMs: P });
  });
});
