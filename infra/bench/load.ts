/**
 * Load generator for the benchmark, run in its own process. Two modes:
 * - open loop (`--rate R`): arrivals scheduled by the clock, R per second for D seconds, latency
 *   measured from each request's scheduled start (so a stall is not hidden: no coordinated omission);
 * - closed loop (`--concurrency C`): C workers back to back, for the maximum throughput.
 * For streams the latency is the time to the first body byte. The latency percentiles are over
 * successful answers (HTTP 200 with a body); errors (any other status, an empty body, a failed
 * connection) are counted, and the time to each error answer is reported apart (errorP50, errorMax),
 * so a target whose failures are slow does not hide them. Prints one JSON result line.
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    key: { type: "string", default: "none" },
    stream: { type: "boolean", default: false },
    rate: { type: "string" },
    concurrency: { type: "string" },
    seconds: { type: "string", default: "5" },
    model: { type: "string", default: "bench" },
  },
});
if (!values.url) throw new Error("--url is required");
const target = values.url;
const durationMs = Number(values.seconds) * 1000;
const body = JSON.stringify({
  model: values.model,
  messages: [{ role: "user", content: "Say ok." }],
  max_tokens: 16,
  ...(values.stream ? { stream: true } : {}),
});
const headers = { "content-type": "application/json", authorization: `Bearer ${values.key}` };

const latencies: number[] = [];
/** Time to each error answer (or to the failure), from its scheduled start like the latencies. */
const errorLatencies: number[] = [];
let errors = 0;
/** Requests sent in all, the warm-up's included: the proxy writes a usage event for each. */
let requestsSent = 0;
let reported = false;
/** The first failure is shown on stderr, so a run full of errors says why. */
function reportOnce(what: string) {
  if (reported) return;
  reported = true;
  console.error(`load: first error from ${target}: ${what}`);
}

async function once(scheduledAt: number): Promise<void> {
  requestsSent++;
  try {
    const response = await fetch(target, { method: "POST", headers, body });
    const reader = response.body!.getReader();
    const first = await reader.read();
    const firstByteAt = performance.now();
    while (!(await reader.read()).done) {}
    if (response.status !== 200 || first.done) {
      errors++;
      errorLatencies.push(performance.now() - scheduledAt);
      if (!reported) reportOnce(`HTTP ${response.status} ${first.value ? new TextDecoder().decode(first.value).slice(0, 300) : "(empty body)"}`);
    } else latencies.push((values.stream ? firstByteAt : performance.now()) - scheduledAt);
  } catch (error) {
    errors++;
    errorLatencies.push(performance.now() - scheduledAt);
    reportOnce((error as Error).message);
  }
}

async function openLoop(rate: number): Promise<number> {
  const start = performance.now();
  const total = Math.round((rate * durationMs) / 1000);
  const inFlight: Promise<void>[] = [];
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    while (sent < total && start + (sent * 1000) / rate <= now) {
      inFlight.push(once(start + (sent * 1000) / rate));
      sent++;
    }
    // Until the next arrival is due, at least 1 ms: Bun's timers count whole milliseconds, and a
    // shorter sleep returns at once, which made this loop spin a whole core of the 2 the benchmark
    // shares. A send up to ~1.1 ms late is still timed from its scheduled start, for every target
    // alike; that lateness is a spread, not an offset, so it also blurs tail differences (README).
    if (sent < total) await Bun.sleep(Math.max(1, start + (sent * 1000) / rate - performance.now()));
  }
  await Promise.all(inFlight);
  return performance.now() - start;
}

async function closedLoop(concurrency: number): Promise<number> {
  const start = performance.now();
  const deadline = start + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      await once(t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - start;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

// Warm the connection pool so the first measured requests do not pay for connects.
for (let i = 0; i < 50; i++) await once(performance.now());
latencies.length = 0;
errorLatencies.length = 0;
errors = 0;

const cpuBefore = process.cpuUsage();
const elapsed = values.rate ? await openLoop(Number(values.rate)) : await closedLoop(Number(values.concurrency ?? 32));
const cpuUsed = process.cpuUsage(cpuBefore);
latencies.sort((a, b) => a - b);
errorLatencies.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    ok: latencies.length,
    errors,
    rps: (latencies.length * 1000) / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    p90: percentile(latencies, 90),
    p95: percentile(latencies, 95),
    p999: percentile(latencies, 99.9),
    // Time to the error answers, apart from the latencies above (NaN, null in JSON, without errors).
    errorP50: percentile(errorLatencies, 50),
    errorMax: percentile(errorLatencies, 100),
    sent: requestsSent,
    // The load generator's own CPU per answered request: it shares the machine with what it measures.
    loadCpuUsPerRequest: (cpuUsed.user + cpuUsed.system) / Math.max(1, latencies.length),
  }),
);
