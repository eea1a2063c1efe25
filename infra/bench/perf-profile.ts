/**
 * Where one server's request thread spends its time, in us per request, with native time charged to
 * the JavaScript function that called it: `perf` samples the thread under the closed loop, and the
 * JIT's own record of where it put each compiled function (JSC's jitdump, `BUN_JSC_useJITDump=1`)
 * names the JavaScript frames in each sample's stack.
 *
 * Why not `--cpu-prof`: Bun's profiler samples JavaScript only, and charges the socket layer, the
 * event loop and the runtime's own work to whatever JavaScript frame it last saw or to "(anonymous)".
 * Here every sample of the thread counts, kernel and native code included. Bun's binary carries no
 * symbols for its own native functions, so those stay addresses; what they are is told by the
 * JavaScript function that called them (`fetch`, `Response.json`, ...), or "(no JavaScript frame)"
 * for the event loop, the HTTP server, promise jobs and the garbage collector.
 *
 *   npx bun infra/bench/perf-profile.ts --target proxy      # or bare, parsing
 *
 * Options: --target proxy|bare|parsing  --warmup 4 (s)  --seconds 5 (recorded)  --concurrency 32  --top 30
 *          --stream (streaming requests, read to the end)
 *          --no-limits (the demo key without rate limits or budgets; by default the key has them, never
 *                       reached, as run.ts measures it), --redis <url> (counters in Redis; see bench-control-plane.ts)
 *          --thread <name> (another thread of the server than its request thread, by the name
 *                          spawn-server.ts's threadCpuMs gives it: "Worker" is the proxy's usage outbox)
 * Needs `perf` (Debian's linux-perf) and permission to record another process.
 */
import { readdirSync, readFileSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startBenchControlPlane, type BenchControlPlane } from "./bench-control-plane.ts";
import { runLoad, spawnServer, threadName, type SpawnedServer } from "./spawn-server.ts";

const { values } = parseArgs({
  options: {
    target: { type: "string", default: "proxy" },
    warmup: { type: "string", default: "4" },
    seconds: { type: "string", default: "5" },
    concurrency: { type: "string", default: "32" },
    top: { type: "string", default: "30" },
    stream: { type: "boolean", default: false },
    limits: { type: "boolean", default: false },
    "no-limits": { type: "boolean", default: false },
    redis: { type: "string" },
    thread: { type: "string", default: "main" },
  },
});
if (values.limits && values["no-limits"]) throw new Error("--limits and --no-limits contradict each other (limits are the default)");
const here = (file: string) => new URL(file, import.meta.url).pathname;
const SAMPLE_HZ = 1999;
const VENDOR_KEY = "bench-vendor-key";
const JIT_DUMP = { BUN_JSC_useJITDump: "1" };

const vendor = await spawnServer(here("./constant-vendor.ts"), {});
let stack: BenchControlPlane | null = null;
let server: SpawnedServer | null = null;
try {
  let key = VENDOR_KEY;
  let model = "bench";
  if (values.target === "proxy") {
    stack = await startBenchControlPlane(vendor.url, VENDOR_KEY, "sink", { limits: !values["no-limits"], redisUrl: values.redis });
    server = await spawnServer(here("./proxy-under-test.ts"), { ...stack.proxyEnv, ...JIT_DUMP });
    key = stack.demo.keySecret;
    model = stack.demo.alias;
  } else if (values.target === "bare" || values.target === "parsing") {
    server = await spawnServer(here(`./${values.target}-pass-through.ts`), { UPSTREAM_URL: vendor.url, ...JIT_DUMP });
  } else throw new Error(`--target is proxy, bare or parsing, not ${values.target}`);

  const pid = server.process.pid;
  const load = (seconds: string) => runLoad(["--url", `${server!.url}/v1/chat/completions`, "--key", key, "--model", model, "--seconds", seconds, "--concurrency", values.concurrency!, ...(values.stream ? ["--stream"] : [])]);
  await load(values.warmup!);
  // The load runs a little longer than the recording on both ends, so every recorded moment is under load.
  const seconds = Number(values.seconds);
  const loading = load(String(seconds + 2));
  await Bun.sleep(1_000);
  const data = join(tmpdir(), `gw-perf-${pid}.data`);
  const tid = threadId(pid, values.thread!);
  const recorder = Bun.spawn(["perf", "record", "-k", "1", "-F", String(SAMPLE_HZ), "-g", "-t", String(tid), "-o", data, "--", "sleep", String(seconds)], { stdout: "ignore", stderr: "pipe" });
  if ((await recorder.exited) !== 0) throw new Error(`perf record failed: ${await new Response(recorder.stderr).text()}`);
  const result = await loading;
  // The recording covers `seconds` inside the load, at the load's average rate.
  const requestsRecorded = result.rps * seconds;

  await server.stop(); // the jitdump is complete once the process has exited
  server = null;
  const mapFile = join(tmpdir(), `perf-${pid}.map`);
  await writePerfMap(await jitDumpOf(pid), mapFile);
  const script = Bun.spawn(["perf", "script", "-i", data, "-F", "ip,sym"], { stdout: "pipe", stderr: "ignore" });
  const stacks = parseStacks(await new Response(script.stdout).text());
  await script.exited;
  await rm(data, { force: true });
  await rm(mapFile, { force: true });
  report(stacks, requestsRecorded, result.rps);
} finally {
  await server?.stop();
  await vendor.stop();
  await stack?.stop();
}

/** The id of `pid`'s thread named `name` ("main" is the process's own, the request thread). */
function threadId(pid: number, name: string): number {
  if (name === "main") return pid;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (tid !== String(pid) && threadName(readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim()) === name) return Number(tid);
  }
  throw new Error(`process ${pid} has no thread named ${name}`);
}

/** The jitdump JSC wrote for `pid` in the temp directory (`jit-<n>-<pid>-<random>`); removed once read. */
async function jitDumpOf(pid: number): Promise<Buffer> {
  const files = (await readdir(tmpdir())).filter((file) => file.startsWith("jit-") && file.split("-")[2] === String(pid));
  if (files.length === 0) throw new Error(`no jitdump of process ${pid} in ${tmpdir()} (was BUN_JSC_useJITDump honoured?)`);
  const buffers = await Promise.all(files.map((file) => readFile(join(tmpdir(), file))));
  await Promise.all(files.map((file) => rm(join(tmpdir(), file), { force: true })));
  return buffers.sort((a, b) => b.length - a.length)[0]!;
}

/**
 * jitdump (https://github.com/torvalds/linux/blob/master/tools/perf/Documentation/jitdump-specification.txt)
 * → perf's text map `/tmp/perf-<pid>.map` ("start size name"). Code loaded later over the same
 * addresses replaces what was there (the JIT reuses freed code memory), so the map is the code as it
 * stood at the end, which is the code the recording, late in the run, saw.
 */
async function writePerfMap(dump: Buffer, file: string): Promise<void> {
  const headerSize = dump.readUInt32LE(8);
  let live: { start: number; end: number; name: string }[] = [];
  for (let offset = headerSize; offset + 16 <= dump.length; ) {
    const id = dump.readUInt32LE(offset);
    const size = dump.readUInt32LE(offset + 4);
    if (size === 0) break;
    if (id === 0) {
      // JIT_CODE_LOAD: pid u32, tid u32, vma u64, code_addr u64, code_size u64, code_index u64, name\0, code
      const start = Number(dump.readBigUInt64LE(offset + 16 + 16));
      const end = start + Number(dump.readBigUInt64LE(offset + 16 + 24));
      const nameStart = offset + 16 + 40;
      const name = dump.toString("utf8", nameStart, dump.indexOf(0, nameStart));
      live = live.filter((code) => code.end <= start || code.start >= end);
      live.push({ start, end, name });
    }
    offset += size;
  }
  await Bun.write(file, live.map((code) => `${code.start.toString(16)} ${(code.end - code.start).toString(16)} ${code.name}\n`).join(""));
}

/** `perf script` output → one array of frame names per sample, leaf first (an address when unnamed). */
function parseStacks(text: string): string[][] {
  const stacks: string[][] = [];
  let current: string[] = [];
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "") {
      if (current.length > 0) stacks.push(current);
      current = [];
      continue;
    }
    const space = trimmed.indexOf(" ");
    if (space < 0) continue;
    const symbol = trimmed.slice(space + 1);
    current.push(symbol === "[unknown]" ? trimmed.slice(0, space) : symbol);
  }
  if (current.length > 0) stacks.push(current);
  return stacks;
}

function isJavaScript(frame: string): boolean {
  return /^JSC-(FTL|DFG|Baseline|LLInt): /.test(frame);
}

/** "JSC-FTL: walkChain#ENvm4w" → "walkChain"; an anonymous function's frame is its hash alone. */
function functionName(frame: string): string {
  return frame.replace(/^JSC-\w+: /, "").replace(/#\w+$/, "") || "(anonymous)";
}

function report(stacks: string[][], requests: number, rps: number): void {
  const usPerSample = 1e6 / SAMPLE_HZ;
  const us = (samples: number) => ((samples * usPerSample) / requests).toFixed(2).padStart(7);
  const nearest = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const stack of stacks) {
    const frames = stack.filter(isJavaScript).map(functionName);
    const own = frames[0] ?? "(no JavaScript frame)";
    nearest.set(own, (nearest.get(own) ?? 0) + 1);
    for (const name of new Set(frames)) inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
  }
  const top = (counts: Map<string, number>) => [...counts].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
  const thread = values.thread === "main" ? "its request thread" : `its ${values.thread} thread`;
  const key = values.target !== "proxy" ? "" : values["no-limits"] ? " (the demo key without limits)" : " (a key with limits, never reached)";
  console.log(`\n${values.target}${key}: ${rps.toFixed(0)} ${values.stream ? "streamed " : ""}req/s in the closed loop; ${thread}, ${stacks.length} samples at ${SAMPLE_HZ} Hz`);
  console.log(`${us(stacks.length)} us per request in all (the thread's busy time; idle waits are not sampled)\n`);
  console.log("us/request  JavaScript function, with the native code it calls (the nearest JavaScript frame)");
  for (const [name, samples] of top(nearest)) console.log(`${us(samples)}     ${name}`);
  console.log("\nus/request  JavaScript function, with everything it calls (inclusive)");
  for (const [name, samples] of top(inclusive)) console.log(`${us(samples)}     ${name}`);
}
