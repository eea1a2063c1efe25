/**
 * Compares the proxy of two checkouts under the same load, interleaved (A, B, B, A, ...), which is the
 * only comparison this VM's drift (±15% over minutes) allows. Both proxies run side by side against
 * one constant-time vendor and one control plane; each round measures one, then the other.
 *
 *   git worktree add /tmp/baseline HEAD~1 && ln -s "$PWD/node_modules" /tmp/baseline/node_modules
 *   npx bun infra/bench/compare.ts --baseline /tmp/baseline --rounds 6 --seconds 3
 *
 * Options: --baseline <dir>  (the other checkout: A; this one is B)
 *          --mode max|max-stream|plain|stream  (closed loop with --concurrency, non-streaming or
 *                                              streaming; or open loop at --rate)
 *          --rounds 6  --seconds 3  --rate 1000  --concurrency 32
 *          --no-limits  (both proxies serve the demo key without rate limits or budgets; by default its key
 *                        has them, never reached, so every request is counted: see bench-control-plane.ts)
 *          --redis <url>  (both proxies share counters and breaker state through this Redis)
 *          --env-a NAME=VALUE, --env-b NAME=VALUE  (repeatable: extra environment for one proxy's
 *          process, e.g. an allocator setting; `--baseline .` then compares one checkout with itself)
 * After each run the comparison waits until the usage stub has acknowledged every usage event of it
 * (at most 2 s), then reads the CPU: the proxy's CPU per request includes shipping its usage, and the
 * other proxy's next run does not see it shipped (both ship to the same stub).
 * Prints each run, then the medians: req/s, the proxy's CPU per request (and by thread), p50, p99;
 * then B/A within each round (A and B ran back to back), the figure to read when the machine drifts.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { startBenchControlPlane } from "./bench-control-plane.ts";
import { usageOfLoad } from "./usage-sink-front.ts";
import { median, runLoad, runLoadMeasuring, spawnServer } from "./spawn-server.ts";

const { values } = parseArgs({
  options: {
    baseline: { type: "string" },
    mode: { type: "string", default: "max" },
    rounds: { type: "string", default: "6" },
    seconds: { type: "string", default: "3" },
    rate: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "32" },
    limits: { type: "boolean", default: false },
    "no-limits": { type: "boolean", default: false },
    redis: { type: "string" },
    "env-a": { type: "string", multiple: true, default: [] },
    "env-b": { type: "string", multiple: true, default: [] },
  },
});
if (values.limits && values["no-limits"]) throw new Error("--limits and --no-limits contradict each other (limits are the default)");
if (!values.baseline) throw new Error("--baseline <dir> is required: another checkout of this repository (e.g. a git worktree)");
const here = (file: string) => new URL(file, import.meta.url).pathname;
const closedLoop = values.mode === "max" || values.mode === "max-stream";
const streaming = values.mode === "stream" || values.mode === "max-stream";
const loadArgs = [...(closedLoop ? ["--concurrency", values.concurrency!] : ["--rate", values.rate!]), ...(streaming ? ["--stream"] : [])];

const vendor = await spawnServer(here("./constant-vendor.ts"), {});
const stack = await startBenchControlPlane(vendor.url, "bench-vendor-key", "sink", { limits: !values["no-limits"], redisUrl: values.redis });
const { demo } = stack;
const env = stack.proxyEnv;
const proxies = {
  A: await spawnServer(join(values.baseline, "infra/bench/proxy-under-test.ts"), { ...env, ...environment(values["env-a"]!) }),
  B: await spawnServer(here("./proxy-under-test.ts"), { ...env, ...environment(values["env-b"]!) }),
};
type Name = keyof typeof proxies;
const runs: Record<Name, { rps: number; cpu: number; p50: number; p99: number; threads: string }[]> = { A: [], B: [] };

try {
  const args = (name: Name) => ["--url", `${proxies[name].url}/v1/chat/completions`, "--key", demo.keySecret, "--model", demo.alias, "--seconds", values.seconds!, ...loadArgs];
  const front = stack.front!;
  // Warm both (JIT, pools), unrecorded, their usage shipped before the first measured run.
  for (const name of ["A", "B"] as const) {
    const settle = usageOfLoad(front);
    await settle(await runLoad(args(name)));
  }
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const name of (round % 2 === 0 ? ["A", "B"] : ["B", "A"]) as Name[]) {
      let note: string | null = null;
      const settle = usageOfLoad(front);
      const { result, cpuUsPerRequest: cpu, byThread: threads } = await runLoadMeasuring(proxies[name].process.pid, args(name), async (r) => (note = await settle(r)));
      runs[name].push({ rps: result.rps, cpu, p50: result.p50, p99: result.p99, threads });
      console.log(`${name} ${result.rps.toFixed(0).padStart(6)} req/s  ${cpu.toFixed(1)} us CPU/request  p50 ${result.p50.toFixed(3)} ms  p99 ${result.p99.toFixed(3)} ms  errors ${result.errors}  [${threads}]${note ? `  !! ${note}, CPU read then` : ""}`);
    }
  }
  console.log(`\nmedians (${values.mode}; ${values["no-limits"] ? "the demo key without limits" : "a key with limits, never reached"}; A = ${values.baseline}, B = this checkout)`);
  for (const name of ["A", "B"] as const) {
    const r = runs[name];
    console.log(`${name} ${median(r.map((x) => x.rps)).toFixed(0).padStart(6)} req/s  ${median(r.map((x) => x.cpu)).toFixed(1)} us CPU/request  p50 ${median(r.map((x) => x.p50)).toFixed(3)} ms  p99 ${median(r.map((x) => x.p99)).toFixed(3)} ms`);
  }
  // The machine drifts between phases within a run, which moves both medians; each round's A and B ran
  // back to back, so the ratio within a round is the steadier figure.
  const pairs = runs.A.map((a, i) => ({ a, b: runs.B[i]! }));
  const cpuRatios = pairs.map(({ a, b }) => b.cpu / a.cpu);
  const rpsRatios = pairs.map(({ a, b }) => b.rps / a.rps);
  console.log(`B/A within each round: CPU per request ${cpuRatios.map((x) => x.toFixed(2)).join(" ")}`);
  console.log(`  median: CPU per request ${median(cpuRatios).toFixed(3)}x, req/s ${median(rpsRatios).toFixed(3)}x; B used less CPU in ${cpuRatios.filter((x) => x < 1).length} of ${pairs.length} rounds`);
} finally {
  await Promise.all([proxies.A.stop(), proxies.B.stop(), vendor.stop()]);
  await stack.stop();
}

/** `NAME=VALUE` options as an environment. */
function environment(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf("=");
      if (at < 1) throw new Error(`--env-a/--env-b take NAME=VALUE, got ${JSON.stringify(pair)}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}
