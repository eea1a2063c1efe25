/**
 * `npm test` runs the suite as four Bun processes, one per group of folders, all at once (test/run-suite.ts), so
 * no single process accumulates the workers and native-addon loads of the whole suite. These check
 * that the groups still cover every test file in the repository (a test in a new folder cannot fall
 * outside them), and what the runner does when Bun itself crashes: that group goes on from the file it
 * crashed in, in a new process, at most MAX_CRASH_RERUNS times, unless a test had already failed.
 */
import { expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { filesLeftAfterCrash, groupCommand, groupFiles, groupLabel, GROUPS, failedGroupsLine, heldOutput, isRuntimeCrash, LANES, MAX_CRASH_RERUNS, runGroup, runLane, runWithCrashReruns, type GroupRun } from "../run-suite.ts";
import { tempDirs } from "./temp-dirs.ts";

const root = join(import.meta.dir, "..", "..");

test("npm test is the suite runner, and every *.test.ts lies in a folder one of its groups names", async () => {
  expect((await Bun.file(join(root, "package.json")).json()).scripts.test).toBe("bun test/run-suite.ts");
  const folders = GROUPS.flat().map((folder) => `${folder.replace(/^\.\//, "")}/`);
  expect(folders).toEqual([
    "control-plane/", "shared/", "infra/",
    "region-proxy/providers/", "region-proxy/snapshot/", "region-proxy/counters/", "region-proxy/limits/", "region-proxy/openai/", "region-proxy/pipeline/",
    "region-proxy/",
    "test/",
  ]);
  const files: string[] = [];
  for await (const file of new Bun.Glob("**/*.test.ts").scan({ cwd: root })) {
    if (!file.startsWith("node_modules/") && !file.includes("/node_modules/") && !file.startsWith(".")) files.push(file);
  }
  expect(files.length).toBeGreaterThan(100);
  // Every folder the groups name is there (a folder gone would leave its line in GROUPS meaning nothing).
  expect(GROUPS.flat().filter((folder) => !existsSync(join(root, folder)))).toEqual([]);
  // bun test given a folder also runs *.spec.*, *_test.*, *_spec.* and .tsx/.js tests; the groups run *.test.ts files only, so there must be no other.
  const otherTests: string[] = [];
  for await (const file of new Bun.Glob("**/*{.test,_test,.spec,_spec}.{ts,tsx,js,jsx,mjs,cjs,mts,cts}").scan({ cwd: root })) {
    if (!file.includes("node_modules/") && !file.startsWith(".") && !file.endsWith(".test.ts")) otherTests.push(file);
  }
  expect(otherTests).toEqual([]);
  expect(files.filter((file) => !folders.some((folder) => file.startsWith(folder)))).toEqual([]);
  // The files a group runs (and a crashed group goes on with) come from the same list: each file in exactly one group.
  const byGroup = await Promise.all(GROUPS.map((group) => groupFiles(group, root)));
  expect(byGroup.flat().sort()).toEqual(files.sort());
  // region-proxy's two groups each hold a share of its files, the second the files of its own top folder too.
  const [, firstHalf, secondHalf] = byGroup;
  expect(firstHalf!.length).toBeGreaterThan(50);
  expect(secondHalf!.length).toBeGreaterThan(50);
  expect(secondHalf).toContain("region-proxy/config.test.ts");
  expect(secondHalf!.some((file) => file.startsWith("region-proxy/providers/"))).toBe(false);
});

test("a file belongs to the group naming the deepest folder that holds it; a new folder falls to the group naming its parent", async () => {
  const dirs = tempDirs();
  try {
    const root = dirs.make("groups-");
    for (const file of ["p/top.test.ts", "p/a/one.test.ts", "p/a/deep/two.test.ts", "p/new/three.test.ts", "p/ab/four.test.ts", "q/five.test.ts"]) {
      mkdirSync(join(root, file, ".."), { recursive: true });
      writeFileSync(join(root, file), "");
    }
    const groups = [["./p/a"], ["./p"], ["./q"]];
    expect(await groupFiles(["./p/a"], root, groups)).toEqual(["p/a/deep/two.test.ts", "p/a/one.test.ts"]);
    // "p/ab" is not under "p/a": prefixes are whole folder names.
    expect(await groupFiles(["./p"], root, groups)).toEqual(["p/ab/four.test.ts", "p/new/three.test.ts", "p/top.test.ts"]);
    expect(await groupFiles(["./q"], root, groups)).toEqual(["q/five.test.ts"]);
    expect(groupLabel(["./p"], groups)).toBe("./p (less the folders other groups run)");
    expect(groupLabel(["./p/a"], groups)).toBe("./p/a");
    // A folder gone: the group holds what is left, and the gone folder's files, moved, fall to the group above.
    expect(await groupFiles(["./p/gone", "./q"], root, [["./p/gone", "./q"], ["./p"]])).toEqual(["q/five.test.ts"]);
  } finally {
    dirs.removeAll();
  }
});

test("the lanes run every group exactly once; the second lane's output is held, in the order written, until released, then passed on", () => {
  expect(LANES).toHaveLength(4);
  expect(LANES.flat().map((group) => group.join(" ")).sort()).toEqual(GROUPS.map((group) => group.join(" ")).sort());
  const written: string[] = [];
  const to = (name: string) => ({ write: (bytes: Uint8Array) => written.push(`${name}:${new TextDecoder().decode(bytes)}`) });
  const held = heldOutput(to("out"), to("err"));
  const reused = new TextEncoder().encode("a");
  held.out.write(reused);
  reused[0] = "x".charCodeAt(0); // a reader may reuse its buffer: what was held is a copy
  held.err.write(new TextEncoder().encode("b"));
  held.out.write(new TextEncoder().encode("c"));
  expect(written).toEqual([]);
  held.release();
  held.err.write(new TextEncoder().encode("d"));
  expect(written).toEqual(["out:a", "err:b", "out:c", "err:d"]);
});

test("the closing line names every group that failed, from every lane; a group other groups take folders out of says so", () => {
  const failedRun = (exitCode: number | null, signal: string | null): GroupRun => ({ exitCode, signal, sawFailure: true, startedFiles: [] });
  expect(failedGroupsLine([])).toBeNull();
  expect(failedGroupsLine([{ folders: ["./region-proxy"], run: failedRun(1, null) }, { folders: ["./control-plane", "./shared", "./infra"], run: failedRun(null, "SIGSEGV") }])).toBe(
    "npm test: ./region-proxy (less the folders other groups run) failed (exit 1)\nnpm test: ./control-plane ./shared ./infra ended by SIGSEGV",
  );
});

/** Where a scripted group's output goes: kept here, not in this suite's own output (the runner reads that). */
const captured: string[] = [];
const sink = { write: (bytes: Uint8Array) => captured.push(new TextDecoder().decode(bytes)) };
const run = (command: string[]) => runGroup(command, root, sink, sink);

/** A Bun process that prints `lines` on stderr, then ends as `end` says. */
const script = (lines: string[], end: string) => [process.execPath, "-e", `for (const line of ${JSON.stringify(lines)}) console.error(line); ${end}`];

test("a group Bun crashed in with no failed test is a runtime crash, run again; a failure, an exit code or an outside kill is not", async () => {
  const crashed = await run(script(["(pass) a"], `process.kill(process.pid, "SIGSEGV")`));
  expect(crashed).toEqual({ exitCode: null, signal: "SIGSEGV", sawFailure: false, startedFiles: [] });
  expect(isRuntimeCrash(crashed)).toBe(true);

  const failedThenCrashed = await run(script(["(pass) a", "(fail) b [1.00ms]"], `process.kill(process.pid, "SIGSEGV")`));
  expect(failedThenCrashed).toEqual({ exitCode: null, signal: "SIGSEGV", sawFailure: true, startedFiles: [] });
  expect(isRuntimeCrash(failedThenCrashed)).toBe(false);

  const failed = await run(script(["(fail) b"], "process.exit(1)"));
  expect(failed).toEqual({ exitCode: 1, signal: null, sawFailure: true, startedFiles: [] });
  expect(isRuntimeCrash(failed)).toBe(false);

  const killed = await run(script([], `process.kill(process.pid, "SIGKILL")`));
  expect(isRuntimeCrash(killed)).toBe(false);
  expect((await run(script(["(pass) a"], "process.exit(0)"))).exitCode).toBe(0);
  expect(captured.join("")).toContain("(fail) b");
});

test("a crashed run says which files it started; it goes on with the file it crashed in and every file not started", async () => {
  const crashed = await run(script(["", "shared/a.test.ts:", "(pass) a", "", "shared/b.test.ts:", "(pass) b1"], `process.kill(process.pid, "SIGABRT")`));
  expect(crashed).toMatchObject({ signal: "SIGABRT", sawFailure: false, startedFiles: ["shared/a.test.ts", "shared/b.test.ts"] });
  expect(filesLeftAfterCrash(["shared/a.test.ts", "shared/b.test.ts", "shared/c.test.ts", "shared/d.test.ts"], crashed)).toEqual(["shared/b.test.ts", "shared/c.test.ts", "shared/d.test.ts"]);
  // Crashed before any file began: everything is left.
  expect(filesLeftAfterCrash(["x.test.ts", "y.test.ts"], { ...crashed, startedFiles: [] })).toEqual(["x.test.ts", "y.test.ts"]);
  // Each path is passed exactly (a bare path would be a name filter to bun test).
  expect(groupCommand(["./region-proxy", "shared/b.test.ts"]).slice(-2)).toEqual(["./region-proxy", "./shared/b.test.ts"]);
});

const FILES = ["t/a.test.ts", "t/b.test.ts", "t/c.test.ts", "t/d.test.ts"];
const crash = (startedFiles: string[]): GroupRun => ({ exitCode: null, signal: "SIGSEGV", sawFailure: false, startedFiles });
const pass: GroupRun = { exitCode: 0, signal: null, sawFailure: false, startedFiles: [] };

test("after each crash the group goes on with what is left, at most MAX_CRASH_RERUNS times; a failed test is never run again", async () => {
  const said: string[] = [];
  const asked: string[][] = [];
  const scripted = (runs: GroupRun[]) => async (paths: string[]) => {
    asked.push(paths);
    return runs.shift()!;
  };
  const recovered = await runWithCrashReruns(["./t"], FILES, scripted([crash(["t/a.test.ts", "t/b.test.ts"]), crash(["t/b.test.ts", "t/c.test.ts"]), pass]), (line) => said.push(line));
  expect(recovered.exitCode).toBe(0);
  expect(asked).toEqual([FILES, ["t/b.test.ts", "t/c.test.ts", "t/d.test.ts"], ["t/c.test.ts", "t/d.test.ts"]]);
  expect(said).toHaveLength(2);
  expect(said[0]).toContain("going on from t/b.test.ts");

  asked.length = 0;
  const crashes = Array.from({ length: MAX_CRASH_RERUNS + 1 }, () => crash(["t/a.test.ts"]));
  const gaveUp = await runWithCrashReruns(["./t"], FILES, scripted([...crashes, pass]), () => {});
  expect(gaveUp.signal).toBe("SIGSEGV");
  expect(asked).toHaveLength(MAX_CRASH_RERUNS + 1);

  asked.length = 0;
  const failedThenCrashed = await runWithCrashReruns(["./t"], FILES, scripted([{ ...crash(["t/a.test.ts"]), sawFailure: true }, pass]), () => {});
  expect(failedThenCrashed.sawFailure).toBe(true);
  expect(asked).toEqual([FILES]);
});

test("a lane runs its next group after one fails, and answers every failure", async () => {
  const dirs = tempDirs();
  try {
    const lane = dirs.make("lane-");
    mkdirSync(join(lane, "a"));
    mkdirSync(join(lane, "b"));
    writeFileSync(join(lane, "a", "fails.test.ts"), `import { expect, test } from "bun:test";\ntest("fails", () => expect(1).toBe(2));\n`);
    writeFileSync(join(lane, "b", "runs.test.ts"), `import { test } from "bun:test";\nimport { writeFileSync } from "node:fs";\ntest("runs", () => writeFileSync(${JSON.stringify(join(lane, "b-ran"))}, "yes"));\n`);
    const sink = { write() {} };
    mkdirSync(join(lane, "empty"));
    const said: string[] = [];
    const failed = await runLane([["./a"], ["./empty"], ["./b"]], lane, sink, { write: (bytes) => said.push(new TextDecoder().decode(bytes)) });
    // A group holding no test file fails (bun test given no path would run every test under the root).
    expect(failed.map(({ folders }) => folders)).toEqual([["./a"], ["./empty"]]);
    expect(said.join("")).toContain("npm test: ./empty holds no test file");
    expect(existsSync(join(lane, "b-ran"))).toBe(true);
  } finally {
    dirs.removeAll();
  }
}, 60_000);
