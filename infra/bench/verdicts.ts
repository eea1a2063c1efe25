/**
 * The issue's targets as run.ts prints them (informational, not a test), from paired rounds: each round
 * runs the proxy and the bare pass-through back to back under the same conditions, so the figure a
 * verdict reads is the median over rounds of what the proxy did against bare IN THAT ROUND (latency:
 * proxy minus bare; throughput: proxy / bare), not the difference of each target's own median, which
 * pairs one round's proxy with another round's bare. Any target's errors in the scenario make its
 * verdicts a MISS that says how many.
 *
 * @example latencyVerdict("non-streaming", "p99", results.plain.proxy, results.plain.bare, { direct: 0, bare: 0, proxy: 0 }).line
 *          // "  MISS  non-streaming p99: proxy adds 1.130 ms over bare (target <= 0.500 ms)"
 */
import { median, type LoadResult } from "./spawn-server.ts";

/** The issue's targets: extra latency over the bare pass-through, and the share of its throughput. */
export const TARGET_EXTRA_MS = 0.5;
export const TARGET_THROUGHPUT_SHARE = 0.7;

export interface Verdict {
  pass: boolean;
  /** The median over rounds of the paired figure; NaN when a round has none. */
  figure: number;
  /** "  PASS  ..." or "  MISS  ...", as printed. */
  line: string;
}

/**
 * Round by round, `figure` of the proxy's and bare's results of that round. Empty when the rounds do
 * not pair up (a different count). A figure a round lacks (every request failed: NaN, null once
 * through JSON) stays NaN, never 0.
 */
export function pairedByRound(proxy: LoadResult[], bare: LoadResult[], figure: (proxy: LoadResult, bare: LoadResult) => number): number[] {
  if (proxy.length === 0 || proxy.length !== bare.length) return [];
  return proxy.map((result, round) => figure(result, bare[round]!));
}

/** The median of the rounds' figures; NaN when there are none or one of them is not a number. */
function medianOfRounds(figures: number[]): number {
  return figures.length > 0 && figures.every(Number.isFinite) ? median(figures) : NaN;
}

/** A latency figure of one load result, NaN when it has none. */
function latency(result: LoadResult, q: "p50" | "p99"): number {
  return typeof result[q] === "number" ? result[q] : NaN;
}

const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(3)} ms` : "n/a");

/**
 * Errors by target in the scenario judged, summed over rounds. Latencies are over successful answers
 * only, so a target that failed some requests is never judged on the rest: any target's errors make
 * the verdict a MISS (the vendor's or the floor's too: then the comparison is not one).
 */
export type ErrorsByTarget = Record<string, number>;

function verdict(figurePasses: boolean, figure: number, what: string, errors: ErrorsByTarget): Verdict {
  const failing = Object.entries(errors).filter(([, count]) => count > 0);
  const total = failing.reduce((sum, [, count]) => sum + count, 0);
  const pass = figurePasses && total === 0;
  const note = total > 0 ? ` (${total} errors: ${failing.map(([name, count]) => `${name} ${count}`).join(", ")})` : "";
  return { pass, figure, line: `  ${pass ? "PASS" : "MISS"}  ${what}${note}` };
}

/** The latency target at `q`: the median over rounds of (proxy - bare) at most TARGET_EXTRA_MS, and no errors. */
export function latencyVerdict(what: string, q: "p50" | "p99", proxy: LoadResult[], bare: LoadResult[], errors: ErrorsByTarget): Verdict {
  const figure = medianOfRounds(pairedByRound(proxy, bare, (p, b) => latency(p, q) - latency(b, q)));
  return verdict(figure <= TARGET_EXTRA_MS, figure, `${what} ${q}: proxy adds ${ms(figure)} over bare (target <= ${ms(TARGET_EXTRA_MS)})`, errors);
}

/** The throughput target: the median over rounds of proxy req/s / bare req/s at least TARGET_THROUGHPUT_SHARE, and no errors. */
export function throughputVerdict(proxy: LoadResult[], bare: LoadResult[], errors: ErrorsByTarget): Verdict {
  const figure = medianOfRounds(pairedByRound(proxy, bare, (p, b) => (b.rps > 0 ? p.rps / b.rps : NaN)));
  const share = Number.isFinite(figure) ? `${figure.toFixed(2)}x` : "n/a";
  return verdict(figure >= TARGET_THROUGHPUT_SHARE, figure, `max throughput: proxy ${share} of bare (target >= ${TARGET_THROUGHPUT_SHARE.toFixed(2)}x)`, errors);
}

/** The heading of the verdicts: what each figure is. */
export const VERDICTS_HEADING =
  "targets (issue 4; informational, not a test): each figure is the median over rounds of the proxy against bare within the same round (latency: proxy minus bare; throughput: proxy / bare)";
