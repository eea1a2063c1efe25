import { expect, test } from "bun:test";
import { firstByteBudgetMs, MIN_UNSTREAMED_CALL_SHARE, retryFits, usefulCallMs } from "./retry-fits.ts";

test("a non-streamed retry needs a share of its deployment's total after the wait; a stream its first-byte budget", () => {
  const unstreamed = { totalMs: 2_000, firstByteMs: null };
  expect(usefulCallMs(unstreamed)).toBe(2_000 * MIN_UNSTREAMED_CALL_SHARE);
  expect(retryFits(1_800, 1_990, unstreamed)).toBe(false);
  expect(retryFits(1_000, 1_990, unstreamed)).toBe(true);
  const streamed = { totalMs: 120_000, firstByteMs: 10_000 };
  expect(retryFits(5_000, 14_000, streamed)).toBe(false);
  expect(retryFits(5_000, 15_000, streamed)).toBe(true);
  // A first-byte budget above the total asks no more than the total.
  expect(usefulCallMs({ totalMs: 1_000, firstByteMs: 5_000 })).toBe(1_000);
});

test("a wait as long as the deployment's own total is never waited for, however much time is left", () => {
  expect(retryFits(2_000, 60_000, { totalMs: 2_000, firstByteMs: null })).toBe(false);
  expect(retryFits(1_999, 60_000, { totalMs: 2_000, firstByteMs: null })).toBe(true);
});

test("the first-byte budget is the deployment's connect and first-byte timeouts, else the default", () => {
  expect(firstByteBudgetMs(undefined, 10_000)).toBe(10_000);
  expect(firstByteBudgetMs({ connectMs: 500, firstByteMs: 2_000 }, 10_000)).toBe(2_500);
  expect(firstByteBudgetMs({ connectMs: 500 }, 10_000)).toBe(10_500);
});
