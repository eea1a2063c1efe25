/**
 * Starts a Bun script in its own process and waits for its `READY <port>` line, so the benchmark's
 * servers and load generator do not share an event loop.
 */
import type { Subprocess } from "bun";
import { readdirSync, readFileSync } from "node:fs";

/**
 * The runtime setting the deployment image gives the proxy (infra/deploy/Dockerfile), given here to
 * every process the benchmark starts, the floor and the vendor included, so that the comparison is
 * between the programs and not their allocator settings. Bun's allocator (mimalloc) otherwise hands
 * freed memory back to the OS 10 ms after it is freed and faults it in again moments later: under
 * load that was 8-12% of the proxy's CPU (madvise, page faults, TLB shootdowns; infra/bench/README.md).
 * An environment that sets it already wins.
 */
export const RUNTIME_ENV: Record<string, string> = { MIMALLOC_PURGE_DELAY: "-1" };

/** A child process's environment: RUNTIME_ENV, then this process's environment, then `extra`. */
function childEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { ...RUNTIME_ENV, ...process.env, ...extra };
}

export interface SpawnedServer {
  url: string;
  process: Subprocess;
  /** SIGTERM, then waits (bounded) for the exit so a profile or a flush can be written. */
  stop(): Promise<void>;
}

/** Starts `script` under Bun; `bunArgs` go before it (e.g. `--cpu-prof` to profile that process). */
export async function spawnServer(script: string, env: Record<string, string>, bunArgs: string[] = []): Promise<SpawnedServer> {
  const child = Bun.spawn([process.execPath, ...bunArgs, script], {
    env: childEnv(env),
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    const match = /READY (\d+)/.exec(seen);
    if (match) {
      reader.releaseLock();
      void child.stdout.pipeTo(new WritableStream()); // keep draining
      return {
        url: `http://127.0.0.1:${match[1]}`,
        process: child,
        async stop() {
          child.kill();
          await Promise.race([child.exited, Bun.sleep(5_000)]);
        },
      };
    }
  }
  child.kill();
  throw new Error(`${script} did not print READY <port> within 20 s; it printed: ${seen.slice(0, 500)}`);
}

export interface LoadResult {
  ok: number;
  errors: number;
  rps: number;
  /** Latency percentiles over successful answers, ms (NaN, null once through JSON, when there were none). */
  p50: number;
  p99: number;
  /** Time to the error answers, ms (load.ts; null without errors): not in p50/p99. */
  errorP50?: number | null;
  errorMax?: number | null;
  /** Requests the load sent in all, its unmeasured warm-up included (each one a usage event at the proxy). */
  sent?: number;
  /** CPU time the measured server process used per successful request, µs (Linux /proc; NaN elsewhere). */
  cpuUsPerRequest?: number;
  /** The load generator's own CPU per request, µs (load.ts reports it). */
  loadCpuUsPerRequest?: number;
  /** The constant vendor's CPU per request, µs (closed loop only; 0 when the vendor is the target). */
  vendorCpuUsPerRequest?: number;
  /** The benchmark process's CPU per request, µs: the control plane and the usage stub run in it. */
  harnessCpuUsPerRequest?: number;
  /** With --redis on this machine: the Redis server's CPU per request. */
  redisCpuUsPerRequest?: number;
}

/**
 * CPU time (user + system) a process has used so far, ms, from /proc/<pid>/stat. On a shared machine
 * this is steadier than throughput: it does not depend on how much CPU the neighbours left over.
 */
export async function processCpuMs(pid: number): Promise<number> {
  try {
    return statCpuMs(await Bun.file(`/proc/${pid}/stat`).text());
  } catch {
    return NaN;
  }
}

/** utime + stime of a /proc stat line, ms: fields 14 and 15, after the ")" closing the command name (clock ticks, 100 Hz on Linux). */
function statCpuMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** A thread's name as the kernel keeps it, with its trailing number dropped ("HTTP Client", "Worker", "sw", ...). */
export function threadName(comm: string): string {
  return comm.replace(/[\d-]+$/, "");
}

/**
 * CPU time (user + system, ms) of each thread of a process, summed by thread name with digits dropped
 * ("main" for the JavaScript thread, then Bun's "HTTP Client", "Worker", "sw" (SQLite), "JITWorker", ...).
 */
export function threadCpuMs(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = tid === String(pid) ? "main" : threadName(stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")));
      byName.set(name, (byName.get(name) ?? 0) + statCpuMs(stat));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return byName;
}

/** "main 36.1, HTTP Client 12.4, ...": us of CPU per request by thread between two threadCpuMs readings. */
export function perRequestByThread(before: Map<string, number>, after: Map<string, number>, requests: number): string {
  return [...after]
    .map(([name, ms]) => [name, ((ms - (before.get(name) ?? 0)) * 1000) / Math.max(1, requests)] as const)
    .filter(([, us]) => us >= 0.2)
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => `${name} ${us.toFixed(1)}`)
    .join(", ");
}

/** Runs one load generation in its own process and returns its figures. */
export async function runLoad(args: string[]): Promise<LoadResult> {
  const child = Bun.spawn([process.execPath, new URL("./load.ts", import.meta.url).pathname, ...args], { env: childEnv(), stdout: "pipe", stderr: "inherit" });
  const text = await new Response(child.stdout).text();
  await child.exited;
  const line = text.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as LoadResult;
}

/**
 * One load run, with what process `pid` spent on it: µs of CPU per answered request, in all and by
 * thread. The CPU is read once `afterLoad` has resolved: for the proxy, once its usage events have
 * been shipped (usage-sink-front.ts usageOfLoad), which its outbox does up to a second after the load.
 */
export async function runLoadMeasuring(pid: number, args: string[], afterLoad?: (result: LoadResult) => Promise<unknown>): Promise<{ result: LoadResult; cpuUsPerRequest: number; byThread: string }> {
  const [cpuBefore, threadsBefore] = [await processCpuMs(pid), threadCpuMs(pid)];
  const result = await runLoad(args);
  await afterLoad?.(result);
  const cpuUsPerRequest = (((await processCpuMs(pid)) - cpuBefore) * 1000) / Math.max(1, result.ok);
  return { result, cpuUsPerRequest, byThread: perRequestByThread(threadsBefore, threadCpuMs(pid), result.ok) };
}

/** The middle value (the upper one of the two for an even count): run.ts and compare.ts report medians of rounds. */
export function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
