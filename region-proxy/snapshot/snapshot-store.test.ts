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
