/**
 * `npm test` runs the suite as three Bun processes, one per group of folders (test/run-suite.ts), so
 * no single process accumulates the workers and native-addon loads of the whole suite. These check
 * that the groups still cover every test file in the repository (a test in a new folder cannot fall
 * outside them), and what the runner does when Bun itself crashes: that group runs once more, unless
 * a test had already failed.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { GROUPS, isRuntimeCrash, runGroup } from "../run-suite.ts";

const root = join(import.meta.dir, "..", "..");

test("npm test is the suite runner, and every *.test.ts lies in a folder one of its groups names", async () => {
  expect((await Bun.file(join(root, "package.json")).json()).scripts.test).toBe("bun test/run-suite.ts");
  const folders = GROUPS.flat().map((folder) => `${folder.replace(/^\.\//, "")}/`);
  expect(folders).toEqual(["control-plane/", "shared/", "infra/", "region-proxy/", "test/"]);
  const files: string[] = [];
  for await (const file of new Bun.Glob("**/*.test.ts").scan({ cwd: root })) {
    if (!file.startsWith("node_modules/") && !file.includes("/node_modules/") && !file.startsWith(".")) files.push(file);
  }
  expect(files.length).toBeGreaterThan(100);
  expect(files.filter((file) => !folders.some((folder) => file.startsWith(folder)))).toEqual([]);
});

/** Where a scripted group's output goes: kept here, not in this suite's own output (the runner reads that). */
const captured: string[] = [];
const sink = { write: (bytes: Uint8Array) => captured.push(new TextDecoder().decode(bytes)) };
const run = (command: string[]) => runGroup(command, root, sink, sink);

/** A Bun process that prints `lines` on stderr, then ends as `end` says. */
const script = (lines: string[], end: string) => [process.execPath, "-e", `for (const line of ${JSON.stringify(lines)}) console.error(line); ${end}`];

test("a group Bun crashed in with no failed test is a runtime crash, run again; a failure, an exit code or an outside kill is not", async () => {
  const crashed = await run(script(["(pass) a"], `process.kill(process.pid, "SIGSEGV")`));
  expect(crashed).toEqual({ exitCode: null, signal: "SIGSEGV", sawFailure: false });
  expect(isRuntimeCrash(crashed)).toBe(true);

  const failedThenCrashed = await run(script(["(pass) a", "(fail) b [1.00ms]"], `process.kill(process.pid, "SIGSEGV")`));
  expect(failedThenCrashed).toEqual({ exitCode: null, signal: "SIGSEGV", sawFailure: true });
  expect(isRuntimeCrash(failedThenCrashed)).toBe(false);

  const failed = await run(script(["(fail) b"], "process.exit(1)"));
  expect(failed).toEqual({ exitCode: 1, signal: null, sawFailure: true });
  expect(isRuntimeCrash(failed)).toBe(false);

  const killed = await run(script([], `process.kill(process.pid, "SIGKILL")`));
  expect(isRuntimeCrash(killed)).toBe(false);
  expect((await run(script(["(pass) a"], "process.exit(0)"))).exitCode).toBe(0);
  expect(captured.join("")).toContain("(fail) b");
});
