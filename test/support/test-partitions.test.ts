/**
 * `npm test` runs the suite as three Bun processes, one per group of folders (package.json), so no
 * single process accumulates the workers and native-addon loads of the whole suite: Bun 1.4.5 crashed
 * (a segfault, "a bug in Bun") late in one long run. This checks that the groups still cover every
 * test file in the repository, so a test in a new folder cannot silently fall outside them.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";

const root = join(import.meta.dir, "..", "..");

test("every *.test.ts lies in a folder that one of npm test's runs names", async () => {
  const script: string = (await Bun.file(join(root, "package.json")).json()).scripts.test;
  const folders = [...script.matchAll(/\.\/([\w-]+)/g)].map((m) => `${m[1]}/`);
  expect(folders).toEqual(["control-plane/", "shared/", "infra/", "region-proxy/", "test/"]);
  const files: string[] = [];
  for await (const file of new Bun.Glob("**/*.test.ts").scan({ cwd: root })) {
    if (!file.startsWith("node_modules/") && !file.includes("/node_modules/") && !file.startsWith(".")) files.push(file);
  }
  expect(files.length).toBeGreaterThan(100);
  expect(files.filter((file) => !folders.some((folder) => file.startsWith(folder)))).toEqual([]);
});
