import { expect, test } from "bun:test";
import { median, type LoadResult } from "./spawn-server.ts";
import { latencyVerdict, pairedByRound, throughputVerdict } from "./verdicts.ts";

const result = (figures: Partial<LoadResult>): LoadResult => ({ ok: 1000, errors: 0, rps: 1000, p50: 1, p99: 2, ...figures });

// The README's run of 2026-11-27 (fourth session), non-streaming p99: each round's proxy - bare was
// 2.94 1.20 1.13 -0.09 0.26 ms; the difference of the two medians read 0.633 ms.
const bareP99 = [0.5, 1.0, 2.452, 3.175, 2.825];
const proxyP99 = [3.44, 2.2, 3.582, 3.085, 3.085];

test("the latency verdict is the median over rounds of proxy minus bare within each round, not the difference of the two medians", () => {
  const proxy = proxyP99.map((p99) => result({ p99 }));
  const bare = bareP99.map((p99) => result({ p99 }));
  expect(median(proxyP99) - median(bareP99)).toBeCloseTo(0.633, 6);
  expect(pairedByRound(proxy, bare, (p, b) => p.p99 - b.p99).map((x) => Number(x.toFixed(2)))).toEqual([2.94, 1.2, 1.13, -0.09, 0.26]);
  const verdict = latencyVerdict("non-streaming", "p99", proxy, bare, {});
  expect(verdict.figure).toBeCloseTo(1.13, 6);
  expect(verdict.pass).toBe(false);
  expect(verdict.line).toBe("  MISS  non-streaming p99: proxy adds 1.130 ms over bare (target <= 0.500 ms)");
});

test("one round in which the machine slowed the proxy moves the targets' own medians, not the median of the pairs", () => {
  // Medians of each target alone: proxy 1.6, bare 1.0 (+0.6, a miss); within each round: +0.1 +0.2 +1.7.
  const verdict = latencyVerdict("streaming TTFB", "p50", [1.1, 1.6, 2.3].map((p50) => result({ p50 })), [1.0, 1.4, 0.6].map((p50) => result({ p50 })), {});
  expect(verdict.figure).toBeCloseTo(0.2, 6);
  expect(verdict.pass).toBe(true);
  expect(verdict.line).toBe("  PASS  streaming TTFB p50: proxy adds 0.200 ms over bare (target <= 0.500 ms)");
});

test("the throughput verdict is the median over rounds of proxy/bare within each round", () => {
  // README's run: rounds 0.48x 0.57x 0.49x 0.59x 0.49x.
  const bare = [10_000, 10_000, 12_000, 10_000, 12_000].map((rps) => result({ rps }));
  const proxy = [4_800, 5_700, 5_880, 5_900, 5_880].map((rps) => result({ rps }));
  const verdict = throughputVerdict(proxy, bare, {});
  expect(verdict.figure).toBeCloseTo(0.49, 6);
  expect(verdict.line).toBe("  MISS  max throughput: proxy 0.49x of bare (target >= 0.70x)");
  expect(throughputVerdict([7_000, 8_000, 6_000].map((rps) => result({ rps })), [10_000, 10_000, 10_000].map((rps) => result({ rps })), {}).pass).toBe(true);
});

test("a round without a figure (every request failed: null once through JSON) or unpaired rounds give no figure and a MISS", () => {
  const broken = latencyVerdict("non-streaming", "p99", [result({ p99: null as unknown as number }), result({})], [result({}), result({})], {});
  expect(broken.pass).toBe(false);
  expect(broken.line).toBe("  MISS  non-streaming p99: proxy adds n/a over bare (target <= 0.500 ms)");
  expect(latencyVerdict("non-streaming", "p50", [result({})], [], {}).pass).toBe(false);
  expect(throughputVerdict([result({})], [result({ rps: 0 })], {}).pass).toBe(false);
});

test("a target with errors in a scenario makes its verdicts MISS, saying how many, however fast its answers were", () => {
  const fast = [result({ p50: 1.0, p99: 1.5 })];
  const bare = [result({ p50: 1.0, p99: 1.5 })];
  const withErrors = latencyVerdict("non-streaming", "p99", fast, bare, { direct: 0, bare: 0, proxy: 6 });
  expect(withErrors.pass).toBe(false);
  expect(withErrors.line).toBe("  MISS  non-streaming p99: proxy adds 0.000 ms over bare (target <= 0.500 ms) (6 errors: proxy 6)");
  // Any target's: with the vendor or the floor failing, the comparison is not one.
  expect(latencyVerdict("streaming TTFB", "p50", fast, bare, { direct: 2, bare: 1, proxy: 0 }).line).toBe(
    "  MISS  streaming TTFB p50: proxy adds 0.000 ms over bare (target <= 0.500 ms) (3 errors: direct 2, bare 1)",
  );
  expect(throughputVerdict([result({ rps: 9_000 })], [result({ rps: 10_000 })], { bare: 0, proxy: 1 }).line).toBe(
    "  MISS  max throughput: proxy 0.90x of bare (target >= 0.70x) (1 errors: proxy 1)",
  );
  expect(latencyVerdict("non-streaming", "p50", fast, bare, { direct: 0, bare: 0, proxy: 0 }).pass).toBe(true);
});
