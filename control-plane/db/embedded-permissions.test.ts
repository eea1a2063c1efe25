/**
 * PGlite writes its files 0666 whatever the umask, so the embedded database is private only through
 * its directories: DATA_DIR and pglite/ are created 0700, and tightened when an earlier start (or a
 * hand-made DATA_DIR) left them open to other users.
 */
import { afterAll, expect, test } from "bun:test";
import { chmod, mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "./client.ts";

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function freshRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "cp-perms-"));
  roots.push(root);
  return root;
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

async function openAndClose(dataDir: string): Promise<string[]> {
  const logs: string[] = [];
  const db = await openDatabase(null, dataDir, undefined, (line) => logs.push(line));
  await db.close();
  return logs;
}

test("a fresh DATA_DIR under umask 0022 ends 0700, with pglite/ 0700, so nothing below it reaches other users", async () => {
  const previous = process.umask(0o022);
  try {
    const dataDir = join(await freshRoot(), "nested", "control-plane");
    const logs = await openAndClose(dataDir);
    expect(await modeOf(dataDir)).toBe(0o700);
    expect(await modeOf(join(dataDir, "pglite"))).toBe(0o700);
    // Nothing to tighten on a fresh directory, so nothing said.
    expect(logs).toEqual([]);
  } finally {
    process.umask(previous);
  }
}, 30_000);

test("a DATA_DIR and pglite/ left open to others are tightened to 0700, said once in the log", async () => {
  const dataDir = join(await freshRoot(), "control-plane");
  await mkdir(join(dataDir, "pglite"), { recursive: true });
  await chmod(dataDir, 0o755);
  await chmod(join(dataDir, "pglite"), 0o777);
  const logs = await openAndClose(dataDir);
  expect(await modeOf(dataDir)).toBe(0o700);
  expect(await modeOf(join(dataDir, "pglite"))).toBe(0o700);
  expect(logs).toEqual([
    `control plane tightened the embedded database's directories to mode 0700 (other users could reach them): ${dataDir} was 0755, ${join(dataDir, "pglite")} was 0777`,
  ]);
  // Already private: the next start says nothing.
  expect(await openAndClose(dataDir)).toEqual([]);
}, 30_000);
