import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openProxyKv } from "../kv/open-kv.ts";
import { loadSnapshotJws, saveSnapshotJws } from "./snapshot-store.ts";

test("a snapshot larger than one KV value survives a reopen; older parts are removed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "snapstore-"));
  let kv = await openProxyKv(dir);
  expect(await loadSnapshotJws(kv)).toBeNull();
  const big = "a.b.".repeat(50_000); // 200 KB
  await saveSnapshotJws(kv, 1, big);
  await saveSnapshotJws(kv, 2, "small.jws.value");
  kv.close();
  kv = await openProxyKv(dir);
  expect(await loadSnapshotJws(kv)).toBe("small.jws.value");
  let parts = 0;
  for await (const _ of kv.list({ prefix: ["snapshot", "parts"] })) parts++;
  expect(parts).toBe(1);
  await saveSnapshotJws(kv, 3, big);
  expect(await loadSnapshotJws(kv)).toBe(big);
  kv.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a snapshot needing more than one commit of parts (over 720k characters, UTF-16) is saved and read whole", async () => {
  const dir = mkdtempSync(join(tmpdir(), "snapstore-"));
  const kv = await openProxyKv(dir);
  const huge = "é☕".repeat(500_000); // 1M characters, all stored two bytes each: 34 parts, 3 commits
  await saveSnapshotJws(kv, 7, huge);
  expect(await loadSnapshotJws(kv)).toBe(huge);
  await saveSnapshotJws(kv, 8, "next.jws");
  let parts = 0;
  for await (const _ of kv.list({ prefix: ["snapshot", "parts"] })) parts++;
  expect(parts).toBe(1);
  kv.close();
  rmSync(dir, { recursive: true, force: true });
});
