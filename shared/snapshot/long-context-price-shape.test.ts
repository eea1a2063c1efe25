/**
 * parseSnapshot and a price's long-context tier: optional (snapshots of older control planes have
 * none and stay readable), and a malformed tier is refused when the snapshot arrives, not priced as
 * NaN when a request settles.
 */
import { expect, test } from "bun:test";
import { parseSnapshot } from "./schema.ts";

const base = { schema: 1, region: "us", version: 1, issuedAt: "2026-01-01T00:00:00Z", keys: {}, tenants: {}, aliases: {}, deployments: {}, pricing: {} };
const withPrice = (price: unknown) => parseSnapshot({ ...base, pricing: { "gemini:gemini-2.5-pro": price } });
const flat = { input: 1_250_000, output: 10_000_000, cachedInput: 310_000 };

test("a price without a tier and one with a well-formed tier are accepted", () => {
  expect(withPrice(flat).ok).toBe(true);
  expect(withPrice({ ...flat, longContext: null }).ok).toBe(true);
  const parsed = withPrice({ ...flat, longContext: { thresholdTokens: 200_000, input: 2_500_000, output: 15_000_000, cachedInput: 625_000 } });
  expect(parsed.ok).toBe(true);
  if (parsed.ok) expect(parsed.value.pricing["gemini:gemini-2.5-pro"]!.longContext?.thresholdTokens).toBe(200_000);
});

test("a malformed tier is refused with a reason naming the price", () => {
  const tier = { thresholdTokens: 200_000, input: 2_500_000, output: 15_000_000 };
  for (const longContext of [
    "200k",
    { ...tier, thresholdTokens: undefined },
    { ...tier, thresholdTokens: -1 },
    { ...tier, thresholdTokens: 1.5 },
    { ...tier, input: undefined },
    { ...tier, output: "15" },
    { ...tier, cachedInput: -1 },
    { ...tier, reasoning: Number.NaN },
  ]) {
    const parsed = withPrice({ ...flat, longContext });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toBe("pricing.gemini:gemini-2.5-pro.longContext is malformed");
  }
});
