import { describe, expect, test } from "bun:test";
import { costMicros, usdPerMillionToMicros, worstCasePrice, ZERO_USAGE } from "./cost.ts";

describe("costMicros", () => {
  const price = { input: usdPerMillionToMicros(0.15), output: usdPerMillionToMicros(0.6) };

  test("prices input and output tokens at micro-USD per 1M tokens", () => {
    expect(costMicros({ ...ZERO_USAGE, inputTokens: 1000, outputTokens: 500 }, price)).toBe(450);
  });

  test("rounds once, up, on the total (a reservation or an estimate never holds less than a charge can be)", () => {
    // 3 * 0.15 = 0.45 and 1 * 0.6 = 0.6 → 1.05 → 2 (rounding each class separately would give 1 + 1)
    expect(costMicros({ ...ZERO_USAGE, inputTokens: 3, outputTokens: 1 }, price)).toBe(2);
    expect(costMicros({ ...ZERO_USAGE, inputTokens: 10 }, price)).toBe(2); // 1.5 → 2
    expect(costMicros({ ...ZERO_USAGE, inputTokens: 1 }, price)).toBe(1); // 0.15 → 1, never 0
    expect(costMicros({ ...ZERO_USAGE, inputTokens: 1000, outputTokens: 500 }, price)).toBe(450); // whole micros stay
    expect(costMicros(ZERO_USAGE, price)).toBe(0);
  });

  test("without a key it is never below the charge of the same usage under any key", () => {
    const usage = { ...ZERO_USAGE, inputTokens: 1 }; // 0.15 micro-USD
    let charged = 0;
    for (let i = 0; i < 1_000; i++) charged += costMicros(usage, price, `evt_${i}`);
    expect(charged).toBeGreaterThan(0);
    expect(charged).toBeLessThanOrEqual(1_000 * costMicros(usage, price));
  });

  test("prices cached, cache-write and reasoning tokens by their own columns", () => {
    const full = { input: 1_000_000, output: 4_000_000, cachedInput: 100_000, cacheWrite: 1_250_000, reasoning: 8_000_000 };
    const usage = { inputTokens: 100, cachedInputTokens: 40, cacheWriteTokens: 10, outputTokens: 20, reasoningTokens: 5 };
    // plain input 50*1 + cached 40*0.1 + write 10*1.25 + plain output 15*4 + reasoning 5*8 = 50+4+12.5+60+40
    expect(costMicros(usage, full)).toBe(167);
  });

  test("falls back to the input and output price when a class has none", () => {
    const usage = { inputTokens: 100, cachedInputTokens: 40, cacheWriteTokens: 0, outputTokens: 20, reasoningTokens: 5 };
    expect(costMicros(usage, { input: 1_000_000, output: 2_000_000 })).toBe(140);
  });
});

describe("a request's charge, rounded by its event id", () => {
  const embeddings = { input: usdPerMillionToMicros(0.02), output: 0 };

  test("the same event always costs the same; whole micros are never rounded", () => {
    const usage = { ...ZERO_USAGE, inputTokens: 30 }; // 0.6 micro-USD
    expect(costMicros(usage, embeddings, "evt_a")).toBe(costMicros(usage, embeddings, "evt_a"));
    expect([0, 1]).toContain(costMicros(usage, embeddings, "evt_a"));
    expect(costMicros({ ...ZERO_USAGE, inputTokens: 1000, outputTokens: 500 }, { input: 150_000, output: 600_000 }, "evt_b")).toBe(450);
  });

  test("many small requests add up to what they cost, where rounding each half up loses or doubles it", () => {
    for (const [tokens, exactMicros] of [[10, 0.2], [24, 0.48], [25, 0.5], [74, 1.48]] as const) {
      const usage = { ...ZERO_USAGE, inputTokens: tokens };
      let charged = 0;
      for (let i = 0; i < 100_000; i++) charged += costMicros(usage, embeddings, `evt_${i.toString(36)}_${tokens}`);
      const exact = exactMicros * 100_000;
      // Within 1% of the exact total (half up would be off by 100%, 100%, 100% and 32%).
      expect(Math.abs(charged - exact) / exact).toBeLessThan(0.01);
    }
  });
});

test("worstCasePrice: the dearest input-side and output-side rates", () => {
  expect(worstCasePrice({ input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75, reasoning: 30 })).toEqual({ input: 3.75, output: 30 });
  expect(worstCasePrice({ input: 3, output: 15 })).toEqual({ input: 3, output: 15 });
});
