/**
 * `npm run bench`: what the proxy adds to a request, measured against a bare `Bun.serve` + `fetch`
 * pass-through in the same run, on the same machine, under the same load.
 *
 * Three targets in front of one constant-time vendor: the vendor itself (direct), the bare
 * pass-through (the floor any proxy pays), and the gateway proxy with its full path. Each round runs
 * every target once, interleaved, so drift in the machine hits all of them alike; figures are the
 * median over rounds. Open loop at a fixed rate (arrivals scheduled by the clock) for latency,
 * non-streaming (full response) and streaming (time to first byte); closed loop for maximum rps.
 *
 * Options: --rate 1000  --seconds 5  --rounds 3  --concurrency 32
 *          --warmup 2  (seconds of closed-loop load, non-streaming then streaming, on every target before the first round, not
 *                       recorded: the proxy's JIT tiers up and its pools fill, as in a running service)
 *          --scenarios plain,stream,max  (a subset, for quick iterations)
 *          --targets direct,bare,proxy  (a subset; the report needs all three; add `parsing` for the
 *                                        second floor, parsing-pass-through.ts: bare plus the JSON
 *                                        round trip every translating gateway makes)
 *          --usage sink|real  (sink: usage batches are acknowledged by a stub in front of the control
 *                              plane, whose PostgreSQL ingestion would otherwise share the 2 cores; see
 *                              usage-sink-front.ts. real: shipped to the control plane itself)
 *                              After every load on the proxy the run waits until the stub has
 *                              acknowledged each of its usage events (at most 2 s; with `real`, 1.5 s
 *                              flat), so the proxy's CPU per request includes shipping them and none
 *                              is shipped during the next load
 *          --stream-gap-ms 5  (the vendor sends a stream's first event at once and the rest this much later,
 *                              so a target that holds back more than the first event shows it in its time to
 *                              first byte; 0 sends the whole stream at once; also BENCH_STREAM_GAP_MS)
 *          --no-limits  (the proxy serves the demo key without any rate limit or budget; by default its key
 *                        has an RPM, a TPM and two budgets, set far above what a run spends, so every
 *                        request is counted, reserved and settled: the full path. --limits, the default, is accepted)
 *          --redis <url>  (the proxy shares its counters and circuit breaker through this Redis, as
 *                          a region's replicas do; e.g. redis://127.0.0.1:6379/14. A Redis server on
 *                          this machine has its CPU per request counted too)
 *          --profile <dir>  (runs the proxy under `--cpu-prof`, profile written to <dir> when it stops;
 *                            with --profile-bare the bare pass-through too, for comparison)
 *          --profile-interval <us>  (the profiler's sampling interval; Bun's default of 1000 us is coarse
 *                                    next to a request that costs ~100 us)
 *
 * After the table it prints the targets with PASS/MISS (informational, not a test): at the
 * open-loop rate the proxy adds at most 0.5 ms more than the bare pass-through at p50 and at p99; its
 * maximum throughput is at least 70% of the bare pass-through's; streaming adds no delay of its own
 * before the first chunk (read here as: the same 0.5 ms allowance on time to first byte). Each verdict
 * reads the median over rounds of the proxy against bare within the same round (verdicts.ts).
 * Latencies are over successful answers; any target's errors in a scenario make that scenario's
 * verdicts MISS, and the time to the error answers is printed apart.
 */
import { parseArgs } from "node:util";
import { startBenchControlPlane } from "./bench-control-plane.ts";
import { usageOfLoad, USAGE_WAIT_MS } from "./usage-sink-front.ts";
import { median, processCpuMs, runLoad, runLoadMeasuring, spawnServer, type LoadResult } from "./spawn-server.ts";
import { latencyVerdict, throughputVerdict, VERDICTS_HEADING, type ErrorsByTarget } from "./verdicts.ts";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    warmup: { type: "string", default: "2" },
    concurrency: { type: "string", default: "32" },
    scenarios: { type: "string", default: "plain,stream,max" },
    targets: { type: "string", default: "direct,bare,proxy" },
    usage: { type: "string", default: "sink" },
    "stream-gap-ms": { type: "string", default: process.env.BENCH_STREAM_GAP_MS ?? "5" },
    limits: { type: "boolean", default: false },
    "no-limits": { type: "boolean", default: false },
    redis: { type: "string" },
    profile: { type: "string" },
    "profile-interval": { type: "string" },
    "profile-bare": { type: "boolean", default: false },
  },
});
if (values.limits && values["no-limits"]) throw new Error("--limits and --no-limits contradict each other (limits are the default)");
const limits = !values["no-limits"];
type Scenario = "plain" | "stream" | "max";
const scenarios = values.scenarios!.split(",").filter((s): s is Scenario => s === "plain" || s === "stream" || s === "max");
const here = (file: string) => new URL(file, import.meta.url).pathname;
const VENDOR_KEY = "bench-vendor-key";

const vendor = await spawnServer(here("./constant-vendor.ts"), { BENCH_STREAM_GAP_MS: values["stream-gap-ms"]! });
const profileArgs = values.profile ? ["--cpu-prof", "--cpu-prof-dir", values.profile, ...(values["profile-interval"] ? [`--cpu-prof-interval=${values["profile-interval"]}`] : [])] : [];
const bare = await spawnServer(here("./bare-pass-through.ts"), { UPSTREAM_URL: vendor.url }, values["profile-bare"] ? profileArgs : []);
const parsing = values.targets!.split(",").includes("parsing") ? await spawnServer(here("./parsing-pass-through.ts"), { UPSTREAM_URL: vendor.url }) : null;
const stack = await startBenchControlPlane(vendor.url, VENDOR_KEY, values.usage === "real" ? "real" : "sink", { limits, redisUrl: values.redis });
const { demo, front } = stack;
const proxy = await spawnServer(here("./proxy-under-test.ts"), stack.proxyEnv, profileArgs);

type TargetName = "direct" | "bare" | "parsing" | "proxy";
const targets: { name: TargetName; url: string; key: string; pid: number }[] = [
  { name: "direct", url: `${vendor.url}/v1/chat/completions`, key: VENDOR_KEY, pid: vendor.process.pid },
  { name: "bare", url: `${bare.url}/v1/chat/completions`, key: VENDOR_KEY, pid: bare.process.pid },
  ...(parsing ? [{ name: "parsing" as const, url: `${parsing.url}/v1/chat/completions`, key: VENDOR_KEY, pid: parsing.process.pid }] : []),
  { name: "proxy", url: `${proxy.url}/v1/chat/completions`, key: demo.keySecret, pid: proxy.process.pid },
];

/** With --redis on this machine: the Redis server's pid, so its CPU is counted too (it shares the cores). */
const redisPid = values.redis ? await localRedisPid(values.redis) : null;

/** With --usage real no stub counts the acknowledgements: the wait after a load on the proxy is this long, the outbox shipping once a second. */
const REAL_USAGE_WAIT_MS = 1_500;
/** Loads on the proxy whose usage events were not all acknowledged within USAGE_WAIT_MS. */
const usageNotes: string[] = [];

/**
 * For a load on the proxy, call before it: what waits after it until the proxy has shipped that load's
 * usage events (usage-sink-front.ts), so the CPU read then includes shipping them and the next load
 * does not pay for it. Other targets ship nothing.
 */
function usageWait(name: TargetName, what: string): ((result: LoadResult) => Promise<void>) | undefined {
  if (name !== "proxy") return undefined;
  if (!front) return () => Bun.sleep(REAL_USAGE_WAIT_MS);
  const settle = usageOfLoad(front);
  return async (result) => {
    const note = await settle(result);
    if (note) usageNotes.push(`${what}: ${note}`);
  };
}

/** One load run on `target`, then (on the proxy) the wait for its usage events. */
async function load(target: { name: TargetName }, args: string[], what: string): Promise<LoadResult> {
  const afterLoad = usageWait(target.name, what);
  const result = await runLoad(args);
  await afterLoad?.(result);
  return result;
}

/** One load run, with the CPU per request of the target's own process, of the vendor, and of this process (control plane, usage stub). */
async function measured(name: TargetName, pid: number, args: string[], what: string): Promise<LoadResult> {
  const vendorBefore = await processCpuMs(vendor.process.pid);
  const redisBefore = redisPid ? await processCpuMs(redisPid) : 0;
  const othersBefore = process.cpuUsage();
  const { result, cpuUsPerRequest, byThread } = await runLoadMeasuring(pid, args, usageWait(name, what));
  const perRequest = (ms: number) => (ms * 1000) / Math.max(1, result.ok);
  // For "direct" the target is the vendor: its CPU is not counted twice.
  result.vendorCpuUsPerRequest = pid === vendor.process.pid ? 0 : perRequest((await processCpuMs(vendor.process.pid)) - vendorBefore);
  const others = process.cpuUsage(othersBefore);
  result.harnessCpuUsPerRequest = perRequest((others.user + others.system) / 1000);
  if (redisPid) result.redisCpuUsPerRequest = perRequest((await processCpuMs(redisPid)) - redisBefore);
  // BENCH_DEBUG: where that CPU went, by thread (main, HTTP Client, the outbox Worker, sw = SQLite, GC, JIT).
  if (process.env.BENCH_DEBUG) console.error(`${name} max, us CPU/request by thread: ${byThread}`);
  return { ...result, cpuUsPerRequest };
}
const chosen = values.targets!.split(",");
const results: Record<Scenario, Record<TargetName, LoadResult[]>> = {
  plain: { direct: [], bare: [], parsing: [], proxy: [] },
  stream: { direct: [], bare: [], parsing: [], proxy: [] },
  max: { direct: [], bare: [], parsing: [], proxy: [] },
};

const common = ["--seconds", values.seconds!, "--model", demo.alias];
const rounds = Number(values.rounds);
try {
  if (Number(values.warmup) > 0) {
    console.error(`warm-up: ${values.warmup} s on each target`);
    for (const target of targets.filter((t) => chosen.includes(t.name))) {
      // Both paths, so the streaming path is compiled before it is measured too (it JIT-compiled during round 1 when only non-streaming load warmed up).
      const warm = ["--url", target.url, "--key", target.key, "--seconds", values.warmup!, "--model", demo.alias, "--concurrency", values.concurrency!];
      await load(target, warm, "warm-up");
      await load(target, [...warm, "--stream"], "streaming warm-up");
    }
  }
  for (let round = 1; round <= rounds; round++) {
    console.error(`round ${round}/${rounds}`);
    // Rotate the order each round so no target always runs first or last.
    const ordered = targets.map((_, i) => targets[(i + round) % targets.length]!).filter((t) => chosen.includes(t.name));
    for (const target of ordered) {
      const base = ["--url", target.url, "--key", target.key, ...common];
      const cpu0 = process.cpuUsage();
      if (scenarios.includes("plain")) results.plain[target.name].push(await load(target, [...base, "--rate", values.rate!], `round ${round} non-streaming`));
      // BENCH_DEBUG: how much CPU the control plane (this process) burned meanwhile, e.g. ingesting usage.
      if (process.env.BENCH_DEBUG) console.error(`control plane CPU during ${target.name} plain: ${((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000).toFixed(0)} ms`);
      if (scenarios.includes("stream")) results.stream[target.name].push(await load(target, [...base, "--rate", values.rate!, "--stream"], `round ${round} streaming`));
      if (scenarios.includes("max")) results.max[target.name].push(await measured(target.name, target.pid, [...base, "--concurrency", values.concurrency!], `round ${round} closed loop`));
    }
  }
  if (["direct", "bare", "proxy"].every((name) => chosen.includes(name))) printReport();
  else printRaw();
} finally {
  await Promise.all([proxy.stop(), bare.stop(), vendor.stop(), parsing?.stop()]);
  await stack.stop();
}


/** Per-round figures for a subset of targets (no ratios without all three). */
function printRaw() {
  for (const scenario of scenarios) for (const name of chosen as TargetName[]) for (const r of results[scenario][name] ?? []) console.log(`${scenario} ${name} ${JSON.stringify(r)}`);
}

function printReport() {
  // A target that failed every request of a scenario has no latencies (NaN, null once through JSON).
  const ms = (n: number | null) => (n !== null && Number.isFinite(n) ? `${n.toFixed(3)} ms` : "n/a");
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : "n/a");
  const errors = (scenario: Scenario, name: TargetName) => results[scenario][name].reduce((sum, r) => sum + r.errors, 0);
  const errorsByTarget = (scenario: Scenario): ErrorsByTarget => Object.fromEntries(targets.map(({ name }) => [name, errors(scenario, name)]));
  /** The time to the error answers of the targets that had some (not in the latencies): median of the rounds' p50s, the largest max. */
  const printErrorAnswers = (scenario: Scenario) => {
    const failing = targets.filter(({ name }) => errors(scenario, name) > 0);
    if (failing.length === 0) return;
    const line = failing.map(({ name }) => {
      const rounds = results[scenario][name].filter((r) => r.errors > 0);
      return `${name} ${errors(scenario, name)}, p50 ${ms(median(rounds.map((r) => r.errorP50 ?? NaN)))}, max ${ms(Math.max(...rounds.map((r) => r.errorMax ?? NaN)))}`;
    });
    console.log(`  error answers (not in the latencies; they make this scenario's verdicts MISS), time to the answer: ${line.join("; ")}`);
  };
  console.log(`\nGateway proxy overhead, ${rounds} interleaved rounds, median of rounds (${new Date().toISOString()})`);
  console.log(`open loop at ${values.rate} req/s for ${values.seconds} s; closed loop with ${values.concurrency} connections; after a warm-up of ${values.warmup} s non-streaming and ${values.warmup} s streaming on each target`);
  console.log(
    limits
      ? "limits: the proxy's key has an RPM, a TPM, a daily and a monthly budget (never reached): every request is rate-limited, reserved and settled (--no-limits for the demo key without any)"
      : "limits: the demo key has no rate limit or budget (--no-limits): the limits step plans and admits without a counter",
  );
  console.log(
    values["stream-gap-ms"] === "0"
      ? "streams: the vendor sends the whole stream at once (--stream-gap-ms 0): time to first byte cannot tell a target that holds the stream back"
      : `streams: the vendor sends the first event at once and the rest ${values["stream-gap-ms"]} ms later (--stream-gap-ms): a target that holds back more than the first event shows it in its time to first byte`,
  );
  console.log(values.redis ? "counters and circuit breaker: in Redis (--redis), as replicas sharing a region keep them" : "counters and circuit breaker: in the proxy's memory (one replica; --redis <url> to share them through Redis)");
  console.log(
    front
      ? `usage: shipped by the proxy and acknowledged by a stub (${front.events()} events so far), not ingested by the control plane; after each load on the proxy the run waits (at most ${USAGE_WAIT_MS / 1000} s) until every event of that load is acknowledged, then reads the CPU`
      : `usage: shipped to and ingested by the control plane on this machine; after each load on the proxy the run waits ${REAL_USAGE_WAIT_MS / 1000} s (no stub to count acknowledgements), then reads the CPU`,
  );
  for (const note of usageNotes) console.log(`!! usage not all shipped, CPU read anyway: ${note}`);
  console.log("");
  for (const [name, server] of [["vendor", vendor], ["bare", bare], ["parsing", parsing], ["proxy", proxy]] as const) {
    if (server && (server.process.exitCode !== null || server.process.signalCode !== null)) console.log(`!! ${name} exited during the run (exit code ${server.process.exitCode ?? "none"}, signal ${server.process.signalCode ?? "none"}): its output is above; figures after that are errors\n`);
  }
  const verdicts: string[] = [];
  for (const scenario of (["plain", "stream"] as const).filter((s) => scenarios.includes(s))) {
    const label = scenario === "plain" ? "non-streaming, full response" : "streaming, time to first byte";
    const p = (name: TargetName, q: "p50" | "p99") => median(results[scenario][name].map((r) => r[q]));
    const added = (name: TargetName, q: "p50" | "p99") => p(name, q) - p("direct", q);
    console.log(`${label}`);
    console.log(`  target   p50         p99         added p50   added p99   errors`);
    for (const { name } of targets) {
      console.log(
        `  ${name.padEnd(8)} ${ms(p(name, "p50")).padEnd(11)} ${ms(p(name, "p99")).padEnd(11)} ${(name === "direct" ? "-" : ms(added(name, "p50"))).padEnd(11)} ${(name === "direct" ? "-" : ms(added(name, "p99"))).padEnd(11)} ${errors(scenario, name)}`,
      );
    }
    printErrorAnswers(scenario);
    console.log(`  proxy/bare added latency: p50 ${ratio(added("proxy", "p50"), added("bare", "p50"))}, p99 ${ratio(added("proxy", "p99"), added("bare", "p99"))}`);
    // Each round's own figure, so a reader sees how far one round lands from the median on this machine.
    const overBare = (q: "p50" | "p99") => eachRound(scenario, (proxy, bare) => (proxy[q] - bare[q]).toFixed(2));
    console.log(`  proxy over bare, each round (ms): p50 ${overBare("p50")}; p99 ${overBare("p99")}\n`);
    for (const q of ["p50", "p99"] as const) verdicts.push(latencyVerdict(scenario === "plain" ? "non-streaming" : "streaming TTFB", q, results[scenario].proxy, results[scenario].bare, errorsByTarget(scenario)).line);
  }
  if (!scenarios.includes("max")) return printVerdicts(verdicts);
  const rps = (name: TargetName) => median(results.max[name].map((r) => r.rps));
  console.log("closed loop, maximum throughput (non-streaming)");
  const cpu = (name: TargetName) => median(results.max[name].map((r) => r.cpuUsPerRequest ?? NaN));
  for (const { name } of targets) console.log(`  ${name.padEnd(8)} ${rps(name).toFixed(0).padStart(7)} req/s   ${cpu(name).toFixed(0).padStart(4)} us CPU/request in its own process   errors ${errors("max", name)}`);
  printErrorAnswers("max");
  console.log(`  proxy/bare throughput: ${ratio(rps("proxy"), rps("bare"))}; each round: ${eachRound("max", (proxy, bare) => ratio(proxy.rps, bare.rps))}`);
  if (parsing) console.log(`  proxy/parsing throughput: ${ratio(rps("proxy"), rps("parsing"))}; parsing/bare: ${ratio(rps("parsing"), rps("bare"))}`);
  // Where the machine's two cores went per request: the load generator and the vendor share them with the target.
  const share = (name: TargetName, key: "loadCpuUsPerRequest" | "vendorCpuUsPerRequest" | "harnessCpuUsPerRequest" | "redisCpuUsPerRequest") => median(results.max[name].map((r) => r[key] ?? NaN)).toFixed(0);
  console.log(`  machine CPU per request (us): target / load generator / vendor / control plane + usage stub${redisPid ? " / Redis server" : ""}`);
  for (const { name } of targets) {
    const redis = redisPid ? ` / ${share(name, "redisCpuUsPerRequest")}` : "";
    console.log(`  ${name.padEnd(8)} ${cpu(name).toFixed(0)} / ${share(name, "loadCpuUsPerRequest")} / ${share(name, "vendorCpuUsPerRequest")} / ${share(name, "harnessCpuUsPerRequest")}${redis}`);
  }
  verdicts.push(throughputVerdict(results.max.proxy, results.max.bare, errorsByTarget("max")).line);
  printVerdicts(verdicts);
}

/** One figure per round from the proxy's and bare's results of that round, space-separated. */
function eachRound(scenario: keyof typeof results, figure: (proxy: LoadResult, bare: LoadResult) => string): string {
  const { proxy, bare } = results[scenario];
  if (proxy.length === 0 || proxy.length !== bare.length) return "n/a";
  return proxy.map((result, round) => figure(result, bare[round]!)).join(" ");
}

function printVerdicts(verdicts: string[]) {
  console.log(`\n${VERDICTS_HEADING}`);
  for (const line of verdicts) console.log(line);
}

/** The pid of the Redis server at `url` when it runs on this machine (its INFO names a pid we can see), else null. */
async function localRedisPid(url: string): Promise<number | null> {
  const { default: Redis } = await import("ioredis");
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const pid = Number(/process_id:(\d+)/.exec(await client.info("server"))?.[1]);
    return Number.isSafeInteger(pid) && (await Bun.file(`/proc/${pid}/comm`).exists()) && (await Bun.file(`/proc/${pid}/comm`).text()).startsWith("redis") ? pid : null;
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}
