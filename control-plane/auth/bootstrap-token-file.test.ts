import { afterAll, expect, test } from "bun:test";
import { lstat, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BOOTSTRAP_TOKEN_FILE, writeBootstrapToken } from "./bootstrap-token-file.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "cp-token-"));
  dirs.push(dir);
  return dir;
};

test("the token file is 0600 even where an older file was readable by all, and nothing else is left", async () => {
  const dir = await tempDir();
  await writeFile(join(dir, BOOTSTRAP_TOKEN_FILE), "old\n", { mode: 0o644 });
  const path = await writeBootstrapToken(dir, "admtok_new");
  expect(await readFile(path, "utf8")).toBe("admtok_new\n");
  expect((await lstat(path)).mode & 0o777).toBe(0o600);
  expect(await readdir(dir)).toEqual([BOOTSTRAP_TOKEN_FILE]);
});

test("a link placed at the path is replaced, not followed: its target never gets the token", async () => {
  const dir = await tempDir();
  const elsewhere = join(await tempDir(), "collected.txt");
  await writeFile(elsewhere, "");
  await symlink(elsewhere, join(dir, BOOTSTRAP_TOKEN_FILE));
  const path = await writeBootstrapToken(dir, "admtok_secret");
  expect(await readFile(elsewhere, "utf8")).toBe("");
  expect((await lstat(path)).isSymbolicLink()).toBe(false);
  expect(await readFile(path, "utf8")).toBe("admtok_secret\n");
});
