/**
 * compileSnapshot publishes a price's long-context tier in micro-USD, its unpriced classes left out, and
 * nothing for a price without one (so such a price's bytes are as before); parseSnapshot reads both.
 */
import { expect, test } from "bun:test";
import { costMicros, ZERO_USAGE } from "../../shared/money/cost.ts";
import { parseSnapshot } from "../../shared/snapshot/schema.ts";
import { compileSnapshot, type ConfigRows } from "./compile-snapshot.ts";

const gemini = { provider: "gemini", model: "gemini-2.5-pro", inputMicros: 1_250_000, outputMicros: 10_000_000, cachedInputMicros: 310_000 };
const rows: ConfigRows = {
  tenants: [],
  keys: [],
  deployments: [],
  aliases: [],
  prices: [
    { ...gemini, longContext: { thresholdTokens: 200_000, inputMicros: 2_500_000, outputMicros: 15_000_000, cachedInputMicros: 625_000 } },
    { ...gemini, model: "flat", longContext: null },
  ],
};

test("a tier is published in micro-USD and prices a prompt over its threshold; a price without one publishes none", () => {
  const s = compileSnapshot(rows, "eu", 1);
  const tiered = s.pricing["gemini:gemini-2.5-pro"]!;
  expect(tiered).toEqual({ input: 1_250_000, output: 10_000_000, cachedInput: 310_000, longContext: { thresholdTokens: 200_000, input: 2_500_000, output: 15_000_000, cachedInput: 625_000 } });
  expect(s.pricing["gemini:flat"]).toEqual({ input: 1_250_000, output: 10_000_000, cachedInput: 310_000 });
  const parsed = parseSnapshot(JSON.parse(JSON.stringify(s)));
  expect(parsed.ok).toBe(true);
  const usage = { ...ZERO_USAGE, inputTokens: 250_000, cachedInputTokens: 50_000, outputTokens: 100 };
  expect(costMicros(usage, tiered)).toBe(200_000 * 2.5 + 50_000 * 0.625 + 100 * 15);
  expect(costMicros(usage, s.pricing["gemini:flat"]!)).toBe(200_000 * 1.25 + 50_000 * 0.31 + 100 * 10);
});
