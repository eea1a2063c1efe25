/**
 * A long-context tier: once a request's prompt (every input token, cached and cache-write ones
 * included) passes the tier's threshold, every token class of that request is priced at the tier,
 * as Google prices Gemini 2.5 Pro over 200k prompt tokens and Anthropic Claude Sonnet 4/4.5 (1M
 * context) over 200k input tokens. At exactly the threshold the base price still applies.
 */
import { expect, test } from "bun:test";
import { costMicros, worstCasePrice, ZERO_USAGE, type Price } from "./cost.ts";

/** Gemini 2.5 Pro in micro-USD per 1M tokens: $1.25/$10 (cached $0.31); over 200k prompt tokens $2.50/$15 (cached $0.625). */
const geminiPro: Price = {
  input: 1_250_000,
  output: 10_000_000,
  cachedInput: 310_000,
  longContext: { thresholdTokens: 200_000, input: 2_500_000, output: 15_000_000, cachedInput: 625_000 },
};

test("a prompt of exactly the threshold is priced at the base rate; one token more, at the tier", () => {
  const at = { ...ZERO_USAGE, inputTokens: 200_000, outputTokens: 1_000 };
  expect(costMicros(at, geminiPro)).toBe(200_000 * 1.25 + 1_000 * 10);
  const over = { ...at, inputTokens: 200_001 };
  expect(costMicros(over, geminiPro)).toBe(Math.ceil(200_001 * 2.5 + 1_000 * 15));
});

test("every class of the request takes the tier, and cached tokens count toward the threshold", () => {
  // 150k cached + 60k fresh = 210k prompt tokens: over the threshold though the fresh part is not.
  const usage = { inputTokens: 210_000, cachedInputTokens: 150_000, cacheWriteTokens: 0, outputTokens: 2_000, reasoningTokens: 500 };
  expect(costMicros(usage, geminiPro)).toBe(60_000 * 2.5 + 150_000 * 0.625 + 2_000 * 15);
});

test("Anthropic's tier prices cache reads, cache writes and output at the tier", () => {
  // Claude Sonnet 4.5 (1M context): $3/$15, cache read $0.30, 5-minute write $3.75; over 200k: $6/$22.50, $0.60, $7.50.
  const sonnet: Price = {
    input: 3_000_000,
    output: 15_000_000,
    cachedInput: 300_000,
    cacheWrite: 3_750_000,
    longContext: { thresholdTokens: 200_000, input: 6_000_000, output: 22_500_000, cachedInput: 600_000, cacheWrite: 7_500_000 },
  };
  const usage = { inputTokens: 250_000, cachedInputTokens: 100_000, cacheWriteTokens: 100_000, outputTokens: 1_000, reasoningTokens: 0 };
  expect(costMicros(usage, sonnet)).toBe(50_000 * 6 + 100_000 * 0.6 + 100_000 * 7.5 + 1_000 * 22.5);
  expect(costMicros({ ...usage, inputTokens: 200_000, cacheWriteTokens: 50_000 }, sonnet)).toBe(50_000 * 3 + 100_000 * 0.3 + 50_000 * 3.75 + 1_000 * 15);
});

test("a price without a tier is unchanged however long the prompt", () => {
  const flat: Price = { input: 1_000_000, output: 2_000_000 };
  expect(costMicros({ ...ZERO_USAGE, inputTokens: 900_000, outputTokens: 10 }, flat)).toBe(900_020);
});

test("the worst case a reservation holds takes the dearer of the base and the tier's rates", () => {
  expect(worstCasePrice(geminiPro)).toEqual({ input: 2_500_000, output: 15_000_000 });
  // Whatever the prompt: an estimate below the threshold may still be a prompt above it.
  expect(costMicros({ ...ZERO_USAGE, inputTokens: 1_000, outputTokens: 100 }, worstCasePrice(geminiPro))).toBe(1_000 * 2.5 + 100 * 15);
  expect(worstCasePrice({ input: 1, output: 2, cacheWrite: 5, longContext: { thresholdTokens: 10, input: 3, output: 4, cacheWrite: 4 } })).toEqual({ input: 5, output: 4 });
});
