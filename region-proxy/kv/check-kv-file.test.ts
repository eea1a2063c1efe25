/**
 * The check of proxy.kv before Deno KV opens it reads only: a sound file, with or without the -wal a
 * crash leaves, keeps its bytes and gets no new file next to it (no -wal, no rename); damaged ones
 * are named as such, with SQLite's reason.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageOutbox } from "../outbox/outbox.ts";
import { kvFileDamage } from "./check-kv-file.ts";
import { openProxyKv } from "./open-kv.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function kvFile(): Promise<{ dir: string; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), "check-kv-"));
  dirs.push(dir);
  const kv = await openProxyKv(dir);
  const outbox = new UsageOutbox(kv, { maxDelayMs: 0 });
  for (let k = 0; k < 10; k++) await outbox.appendMany(Array.from({ length: 500 }, (_, i) => `evt_${k}_${i}`), Array.from({ length: 500 }, (_, i) => JSON.stringify({ eventId: `evt_${k}_${i}`, pad: crypto.randomUUID() })));
  kv.close();
  return { dir, file: join(dir, "proxy.kv") };
}

/** Every file of the dir with its bytes and mtime. */
const snapshotDir = (dir: string) => readdirSync(dir).map((name) => ({ name, bytes: readFileSync(join(dir, name)).toString("base64"), mtime: statSync(join(dir, name)).mtimeMs }));

test("a sound file: no damage, and the check leaves the dir exactly as it was (no -wal or -shm created)", async () => {
  const { dir, file } = await kvFile();
  const before = snapshotDir(dir);
  expect(before.map((f) => f.name)).toEqual(["proxy.kv"]);
  expect(kvFileDamage(file)).toBeNull();
  expect(snapshotDir(dir)).toEqual(before);
});

test("a sound file with a -wal (as a crash leaves it): read through the -wal, whose bytes, like the file's, are unchanged", async () => {
  const { dir, file } = await kvFile();
  // A -wal holding commits: a process that keeps the KV open while the check runs.
  const kv = await openProxyKv(dir);
  await kv.set(["outbox", "x"], new Uint8Array(5000));
  const wal = readFileSync(`${file}-wal`);
  const main = readFileSync(file);
  expect(wal.length).toBeGreaterThan(0);
  expect(kvFileDamage(file)).toBeNull();
  expect(readFileSync(`${file}-wal`).equals(wal)).toBe(true);
  expect(readFileSync(file).equals(main)).toBe(true);
  kv.close();
});

test("no file yet: nothing to check", () => {
  expect(kvFileDamage(join(tmpdir(), "no-such-dir-check-kv", "proxy.kv"))).toBeNull();
});

test("damaged files are named damaged, with SQLite's reason", async () => {
  const truncated = await kvFile();
  truncateSync(truncated.file, Math.floor(statSync(truncated.file).size / 2));
  expect(kvFileDamage(truncated.file)).toContain("malformed");

  const torn = await kvFile();
  const bytes = readFileSync(torn.file);
  for (let i = 8192; i < bytes.length; i += 4096) bytes.fill(0x41, i, i + 200);
  writeFileSync(torn.file, bytes);
  expect(kvFileDamage(torn.file)).toStartWith("quick_check: ");

  const header = await kvFile();
  writeFileSync(header.file, Buffer.concat([Buffer.alloc(100), readFileSync(header.file).subarray(100)]));
  expect(kvFileDamage(header.file)).toContain("not a database");
  // Checking changed none of them.
  for (const { dir } of [truncated, torn, header]) expect(readdirSync(dir)).toEqual(["proxy.kv"]);
});
