/**
 * A new snapshot is served at once even when saving it fails (a revoked key must stop working), and the
 * save is retried at the first poll CONFIRMED_SAVE_EVERY_MS later (snapshot-save-refused.test.ts: not at
 * every poll), so a restart boots on an older version than was served only that long after the disk
 * takes writes again.
 */
import { afterEach, expect, setSystemTime, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSigningKey, signSnapshot } from "../../shared/snapshot/sign.ts";
import { importTrustedKeys } from "../../shared/snapshot/verify.ts";
import { openProxyKv, type Kv } from "../kv/open-kv.ts";
import { applySnapshot, CONFIRMED_SAVE_EVERY_MS, saveHeldSnapshot } from "./apply-snapshot.ts";
import { CurrentSnapshot } from "./current.ts";
import { loadSnapshotJws } from "./snapshot-store.ts";

const dirs: string[] = [];
afterEach(() => {
  setSystemTime();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const snapshot = (version: number) => ({ schema: 1 as const, region: "eu", version, issuedAt: new Date().toISOString(), keys: {}, tenants: {}, aliases: {}, deployments: {}, pricing: {} });

/** A real KV whose next `failures` commits throw, as a full disk would make them. */
async function flakyKv(): Promise<{ kv: Kv; failNext(n: number): void; close(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "gw-apply-snapshot-"));
  dirs.push(dir);
  const kv = await openProxyKv(dir);
  let failures = 0;
  const flaky = new Proxy(kv, {
    get(target, prop) {
      if (prop !== "atomic") {
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return () => {
        const op = target.atomic();
        const commit = op.commit.bind(op);
        return Object.assign(op, { commit: () => (failures-- > 0 ? Promise.reject(new Error("disk full")) : commit()) });
      };
    },
  });
  return { kv: flaky, failNext: (n) => void (failures = n), close: () => kv.close() };
}

test("a snapshot whose save failed is served at once and saved at the next poll after the retry interval, whether it answers 200 or 304", async () => {
  const { key } = await generateSigningKey("k1");
  const trusted = await importTrustedKeys({ keys: [key.publicJwk] });
  const store = await flakyKv();
  const logs: string[] = [];
  const deps = { region: "eu", trusted, current: new CurrentSnapshot(), kv: store.kv, log: (line: string) => logs.push(line) };
  const [v1, v2, v3] = await Promise.all([1, 2, 3].map((v) => signSnapshot(snapshot(v), key)));

  expect(await applySnapshot(v1!, deps, { persist: true })).toBe("swapped");
  store.failNext(1);
  expect(await applySnapshot(v2!, deps, { persist: true })).toBe("swapped");
  expect(deps.current.version()).toBe(2);
  expect(await loadSnapshotJws(store.kv)).toBe(v1!);
  expect(logs.some((line) => line.includes("version 2 is served but could not be saved"))).toBe(true);
  // The next poll after the retry interval answers 200 with the same snapshot: saved now.
  let now = Date.now();
  setSystemTime(new Date((now += CONFIRMED_SAVE_EVERY_MS)));
  expect(await applySnapshot(v2!, deps, { persist: true })).toBe("unchanged");
  expect(await loadSnapshotJws(store.kv)).toBe(v2!);

  // And when the next poll answers 304 (the loop confirms, then saves what is held).
  store.failNext(1);
  await applySnapshot(v3!, deps, { persist: true });
  expect(await loadSnapshotJws(store.kv)).toBe(v2!);
  setSystemTime(new Date(now + CONFIRMED_SAVE_EVERY_MS));
  await saveHeldSnapshot(deps);
  expect(await loadSnapshotJws(store.kv)).toBe(v3!);
  store.close();
});
