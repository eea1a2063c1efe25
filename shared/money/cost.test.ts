import { describe, expect, test } from "bun:test";
import { costMicros, usdPerMillionToMicros, ZERO_USAGE } from "./cost.ts";

describe("costMicros", () => {
  const price = { input: usdPerMillionToMicros(0.15), output: usdPerMillionToMicros(0.6) };

  test("prices input and output tokens at micro-USD per 1M tokens", () => {
    expect(costMicros({ ...ZERO_USAGE, inputTokens: 1000, outputTokens: 500 }, price)).toBe(450);
  });

  test("rounds once, half up, on the total", () => {
    // 3 * 0.15 = 0.45 and 1 * 0.6 = 0.6 → 1.05 → 1 (rounding each class separately would give 0 + 1)
    expect(costMicros({ ...ZERO_USAGE, inputTokens: 3, outputTokens: 1 }, price)).toBe(1);
    expect(costMicros({ ...ZERO_USAGE, inputTokens: 10 }, price)).toBe(2); // 1.5 → 2
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
