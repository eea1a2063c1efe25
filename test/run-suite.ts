/**
 * `npm test`: the whole suite as three Bun processes, one per group of folders, one after another;
 * the command fails as soon as a group fails. Three processes, so none accumulates the workers and
 * native-addon loads of the whole suite.
 *
 * A group whose Bun process crashed (killed by SIGSEGV, SIGBUS, SIGILL, SIGFPE or SIGABRT: Bun 1.4.5
 * segfaults now and then, "a bug in Bun, not your code", at a different test each time) is run once
 * more, and says so loudly, but only when no test had failed before the crash: a failed test is never
 * run again, and a second crash fails the suite.
 */
import { join } from "node:path";

export const GROUPS = [["./control-plane", "./shared", "./infra"], ["./region-proxy"], ["./test"]];

const CRASH_SIGNALS = new Set(["SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT"]);

export interface GroupRun {
  exitCode: number | null;
  signal: string | null;
  /** A test reported `(fail)` before the process ended. */
  sawFailure: boolean;
}

/** Runs again only a run that Bun itself ended with a crash signal, with no test failed before it. */
export function isRuntimeCrash(run: GroupRun): boolean {
  return run.signal !== null && CRASH_SIGNALS.has(run.signal) && !run.sawFailure;
}

/** The command that tests one group. */
export const groupCommand = (folders: string[]) => [process.execPath, "test", "--timeout", "60000", ...folders];

type Sink = { write(bytes: Uint8Array): unknown };

/** Runs `command` (a group's `bun test`), its output passed on to `out`/`err` as it comes and watched for failed tests. */
export async function runGroup(command: string[], cwd: string, out: Sink = process.stdout, err: Sink = process.stderr): Promise<GroupRun> {
  const child = Bun.spawn(command, { cwd, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  let sawFailure = false;
  const relay = async (from: ReadableStream<Uint8Array>, to: Sink) => {
    const decoder = new TextDecoder();
    let tail = "";
    const reader = from.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const bytes = read.value;
      to.write(bytes);
      // Lines can be cut between reads: keep the unfinished one for the next.
      const lines = (tail + decoder.decode(bytes, { stream: true })).split("\n");
      tail = lines.pop()!;
      if (lines.some((line) => line.startsWith("(fail)"))) sawFailure = true;
    }
    if (tail.startsWith("(fail)")) sawFailure = true;
  };
  await Promise.all([relay(child.stdout, out), relay(child.stderr, err), child.exited]);
  return { exitCode: child.exitCode, signal: child.signalCode === null ? null : String(child.signalCode), sawFailure };
}

if (import.meta.main) {
  const root = join(import.meta.dir, "..");
  for (const folders of GROUPS) {
    let run = await runGroup(groupCommand(folders), root);
    if (isRuntimeCrash(run)) {
      console.error(`\n*** Bun crashed (${run.signal}) running ${folders.join(" ")} with no test failed: running that group once more (a bug in Bun; a second crash fails the suite) ***\n`);
      run = await runGroup(groupCommand(folders), root);
    }
    if (run.exitCode !== 0) {
      console.error(`\nnpm test: ${folders.join(" ")} ${run.signal ? `ended by ${run.signal}` : `failed (exit ${run.exitCode})`}`);
      process.exit(run.exitCode || 1);
    }
  }
}
