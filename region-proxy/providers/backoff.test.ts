import { expect, test } from "bun:test";
import { fullJitterMs } from "./backoff.ts";

test("full jitter stays within [0, min(cap, base * 2^(n-1))]", () => {
  const options = { baseMs: 100, capMs: 500 };
  expect(fullJitterMs(1, options, () => 0.999)).toBe(99);
  expect(fullJitterMs(2, options, () => 0.999)).toBe(199);
  expect(fullJitterMs(5, options, () => 0.999)).toBe(499);
  expect(fullJitterMs(3, options, () => 0)).toBe(0);
  const seen = new Set(Array.from({ length: 50 }, () => fullJitterMs(3, options)));
  expect(seen.size).toBeGreaterThan(5);
  for (const v of seen) expect(v >= 0 && v < 400).toBe(true);
});
