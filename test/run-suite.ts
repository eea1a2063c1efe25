/**
 * `npm test`: the whole suite as four Bun processes, one per group of folders, all four at once
 * (LANES); the command fails when a group fails. Several processes, so none accumulates the workers and native-addon loads of the whole
 * suite.
 *
 * A group whose Bun process crashed (killed by SIGSEGV, SIGBUS, SIGILL, SIGFPE or SIGABRT: Bun 1.4.5
 * segfaults or aborts now and then, "a bug in Bun, not your code", at a different test each time, more
 * often the more files one process has run) goes on in a new process from the file it crashed in: the
 * files that had finished are not run again. That happens at most MAX_CRASH_RERUNS times per group, says
 * so loudly, and only when no test had failed before the crash: a failed test is never run again.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * The groups of folders, each one Bun process. A test file belongs to the group naming the deepest
 * folder that holds it: region-proxy's files are split in two groups of about equal time (measured
 * 2026-11-28: 182 s and 180 s of the 362 s region-proxy took in one process, the suite's longest lane),
 * the second holding every region-proxy file the first does not, so a new folder there is run too.
 */
export const GROUPS = [
  ["./control-plane", "./shared", "./infra"],
  ["./region-proxy/providers", "./region-proxy/snapshot", "./region-proxy/counters", "./region-proxy/limits", "./region-proxy/openai", "./region-proxy/pipeline"],
  ["./region-proxy"],
  ["./test"],
];

const CRASH_SIGNALS = new Set(["SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGABRT"]);

/** Crashes of Bun a group may go on after; one more fails the suite. */
export const MAX_CRASH_RERUNS = 2;

export interface GroupRun {
  exitCode: number | null;
  signal: string | null;
  /** A test reported `(fail)` before the process ended. */
  sawFailure: boolean;
  /** The test files the process started, in order (Bun prints `path/to/x.test.ts:` before each). */
  startedFiles: string[];
}

/** A group (its folders) whose run failed. */
export interface FailedGroup {
  folders: string[];
  run: GroupRun;
}

/**
 * Every test file under a group's folders, relative to `root` (`control-plane/x/y.test.ts`), except
 * those under a deeper folder another of `groups` names (that group runs them).
 */
export async function groupFiles(folders: string[], root: string, groups: string[][] = GROUPS): Promise<string[]> {
  const files: string[] = [];
  for (const folder of folders) {
    // A folder gone (renamed, removed): its files, wherever they went, fall to the group naming a folder above them.
    if (!existsSync(join(root, folder))) continue;
    const takenElsewhere = foldersOtherGroupsTake(folder, folders, groups);
    for await (const file of new Bun.Glob("**/*.test.ts").scan({ cwd: join(root, folder) })) {
      const path = join(folder, file);
      if (!file.split("/").includes("node_modules") && !takenElsewhere.some((other) => path.startsWith(other))) files.push(path);
    }
  }
  return files.sort();
}

/** "./region-proxy" → "region-proxy/": a folder as the start of the paths under it. */
const asPrefix = (folder: string) => `${join(folder)}/`;

/** The folders other groups than `folders` name under `folder` (as prefixes, asPrefix): their files are not this group's. */
const foldersOtherGroupsTake = (folder: string, folders: string[], groups: string[][]) =>
  groups.flat().filter((other) => !folders.includes(other)).map(asPrefix).filter((other) => other.startsWith(asPrefix(folder)));

/**
 * A group as the runner's lines name it: its folders, each one another group takes folders out of
 * said so ("./region-proxy (less the folders other groups run)"), so that line is not read as all of it.
 */
export function groupLabel(folders: string[], groups: string[][] = GROUPS): string {
  return folders.map((folder) => (foldersOtherGroupsTake(folder, folders, groups).length > 0 ? `${folder} (less the folders other groups run)` : folder)).join(" ");
}

/** What a crashed run leaves to do: the file it crashed in and every file it had not started. */
export function filesLeftAfterCrash(files: string[], run: GroupRun): string[] {
  const finished = new Set(run.startedFiles.slice(0, -1));
  return files.filter((file) => !finished.has(file));
}

/** Runs again only a run that Bun itself ended with a crash signal, with no test failed before it. */
export function isRuntimeCrash(run: GroupRun): boolean {
  return run.signal !== null && CRASH_SIGNALS.has(run.signal) && !run.sawFailure;
}

/** The command that tests one group's folders, or (after a crash) the files left, each as an exact path. */
export const groupCommand = (paths: string[]) => [process.execPath, "test", "--timeout", "60000", ...paths.map((path) => `./${path.replace(/^\.\//, "")}`)];

/**
 * Runs a group with `run` (its files, each by its exact path), and after each runtime crash, at most MAX_CRASH_RERUNS
 * times, the files it left; answers the last run. `say` tells each crash.
 */
export async function runWithCrashReruns(folders: string[], files: string[], run: (paths: string[]) => Promise<GroupRun>, say: (line: string) => void): Promise<GroupRun> {
  let left = files;
  let result = await run(files);
  for (let rerun = 1; rerun <= MAX_CRASH_RERUNS && isRuntimeCrash(result); rerun++) {
    left = filesLeftAfterCrash(left, result);
    say(`\n*** Bun crashed (${result.signal}) running ${groupLabel(folders)} with no test failed (a bug in Bun): going on from ${result.startedFiles.at(-1) ?? "the start"} in a new process, ${left.length} file${left.length === 1 ? "" : "s"} (${rerun} of at most ${MAX_CRASH_RERUNS}) ***\n`);
    result = await run(left);
  }
  return result;
}

type Sink = { write(bytes: Uint8Array): unknown };

/** Runs `command` (a group's `bun test`), its output passed on to `out`/`err` as it comes and watched for failed tests. */
export async function runGroup(command: string[], cwd: string, out: Sink = process.stdout, err: Sink = process.stderr): Promise<GroupRun> {
  const child = Bun.spawn(command, { cwd, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  let sawFailure = false;
  const startedFiles: string[] = [];
  const watch = (line: string) => {
    if (line.startsWith("(fail)")) sawFailure = true;
    const started = /^(\S+\.test\.ts):$/.exec(line);
    if (started) startedFiles.push(started[1]!);
  };
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
      lines.forEach(watch);
    }
    watch(tail);
  };
  await Promise.all([relay(child.stdout, out), relay(child.stderr, err), child.exited]);
  return { exitCode: child.exitCode, signal: child.signalCode === null ? null : String(child.signalCode), sawFailure, startedFiles };
}

/**
 * The groups as four lanes run side by side, one group each: region-proxy's two halves (the longest),
 * control-plane with shared and infra, and the end-to-end tests. The tests spend most of their time waiting on timers,
 * sockets and databases, and each isolates itself (its own database, port 0, its own Redis prefix), so
 * on two cores four processes at once finish with the longest group: with region-proxy in one process
 * (three lanes) the suite took 362 s, region-proxy's own time, with the machine at load ~1; split, 191 s.
 */
export const LANES: string[][][] = [[GROUPS[1]!], [GROUPS[2]!], [GROUPS[0]!], [GROUPS[3]!]];

/**
 * A lane's stdout and stderr held, in the order written, until `release()`, then passed straight on:
 * a later lane's output, printed once every lane before it is done (or when the runner is stopped).
 */
export function heldOutput(out: Sink, err: Sink): { out: Sink; err: Sink; release(): void } {
  let held: [Sink, Uint8Array][] | null = [];
  const to = (sink: Sink): Sink => ({
    write(bytes) {
      if (held) held.push([sink, bytes.slice()]);
      else sink.write(bytes);
    },
  });
  return {
    out: to(out),
    err: to(err),
    release() {
      for (const [sink, bytes] of held ?? []) sink.write(bytes);
      held = null;
    },
  };
}

/** The closing line for the groups that failed (every one, from every lane); null when none did. */
export function failedGroupsLine(failures: FailedGroup[]): string | null {
  if (failures.length === 0) return null;
  return failures.map(({ folders, run }) => `npm test: ${groupLabel(folders)} ${run.signal ? `ended by ${run.signal}` : `failed (exit ${run.exitCode})`}`).join("\n");
}

/**
 * Runs a lane's groups one after another and answers those that failed. A failed group does not keep
 * the next from running (the end-to-end group still runs after a failed control-plane group, so one
 * run tells every failure); a group ended by a signal does, as the runner is being stopped.
 */
export async function runLane(lane: string[][], root: string, out: Sink, err: Sink): Promise<FailedGroup[]> {
  const failed: FailedGroup[] = [];
  for (const folders of lane) {
    const files = await groupFiles(folders, root);
    if (files.length === 0) {
      // bun test given no path runs every test under the root: a group holding none is a mistake to say.
      err.write(new TextEncoder().encode(`npm test: ${groupLabel(folders)} holds no test file\n`));
      failed.push({ folders, run: { exitCode: 1, signal: null, sawFailure: false, startedFiles: [] } });
      continue;
    }
    const run = await runWithCrashReruns(folders, files, (paths) => runGroup(groupCommand(paths), root, out, err), (line) => err.write(new TextEncoder().encode(line + "\n")));
    if (run.exitCode !== 0) failed.push({ folders, run });
    if (run.signal) break;
  }
  return failed;
}

if (import.meta.main) {
  const root = join(import.meta.dir, "..");
  // The first lane prints as it runs; each later lane's output is held until every lane before it has
  // ended, so the log reads one group after another.
  const held = LANES.slice(1).map(() => heldOutput(process.stdout, process.stderr));
  // Stopped from outside (a CI timeout, Ctrl-C): what the later lanes printed is not lost.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      for (const lane of held) lane.release();
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
  const runs = LANES.map((lane, i) => (i === 0 ? runLane(lane, root, process.stdout, process.stderr) : runLane(lane, root, held[i - 1]!.out, held[i - 1]!.err)));
  void (async () => {
    for (let i = 0; i < held.length; i++) {
      await runs[i]!.catch(() => {});
      held[i]!.release();
    }
  })();
  const failures = (await Promise.all(runs)).flat();
  for (const lane of held) lane.release();
  const line = failedGroupsLine(failures);
  if (line) {
    console.error(`\n${line}`);
    process.exit(failures[0]!.run.exitCode || 1);
  }
}
