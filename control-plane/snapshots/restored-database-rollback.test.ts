/**
 * After the control plane's database is restored from a backup, config versions are handed out again
 * from the backup's point. A proxy already holding a later version refused the re-issued lower ones
 * ("older than held") and, once the control plane reached the version it held, was answered 304 (the
 * ETag is the bare version number): it kept serving the pre-restore config, so a key revoked after the
 * restore kept working, while `regions { proxies }` reported it as current (its version was capped).
 * Now its first poll reporting a version above the latest republishes the configuration past it, and
 * the registry shows the version it reported. (Review repro re #1.)
 */
import { afterAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { hashSecret } from "../../shared/ids.ts";
import { importTrustedKeys } from "../../shared/snapshot/verify.ts";
import { seedConfig } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { addKey } from "../testing/add-key.ts";
import { latestConfigVersion, restoreToVersion } from "../testing/restore-to-version.ts";
import { openProxyKv } from "../../region-proxy/kv/open-kv.ts";
import { CurrentSnapshot } from "../../region-proxy/snapshot/current.ts";
import { startSnapshotLoop } from "../../region-proxy/snapshot/loop.ts";
import { tempDirs } from "../../test/support/temp-dirs.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);
const t = useTestControlPlane();

test("a key revoked after a database restore stops working at the proxies", async () => {
  const s = await seedConfig(t.admin);
  const db: postgres.Sql = t.openSql();
  const latest = () => latestConfigVersion(db);
  const backupAt = await latest(); // the backup is taken here

  const kv = await openProxyKv(dirs.make("restore-"));
  const logs: string[] = [];
  const current = new CurrentSnapshot();
  const trusted = await importTrustedKeys(t.cp.jwks);
  const loop = startSnapshotLoop({ region: "eu", trusted, current, kv, log: (l) => logs.push(l), controlPlaneUrl: t.cp.url, regionToken: s.euToken, proxyId: "prx_restore", pollMs: 600_000 });
  try {
    // Two more changes after the backup; the proxy takes the newest.
    await addKey(t.admin, s.tenantId, { name: "after-backup-1" });
    await addKey(t.admin, s.tenantId, { name: "after-backup-2" });
    await loop.pollOnce();
    expect(current.version()).toBe(backupAt + 2);

    // The database is restored from the backup: what came after it is gone, the version counter with it.
    await restoreToVersion(db, backupAt, "after-backup-%");

    // The leaked key is revoked, then one more change is made.
    await t.admin.request(`mutation($id: ID!) { revokeKey(id: $id) { id } }`, { id: s.keyId });
    await loop.pollOnce();
    await addKey(t.admin, s.tenantId, { name: "after-restore" });
    await loop.pollOnce();
    await loop.pollOnce();

    const held = current.get()!.snapshot;
    expect(held.version).toBe(await latest());
    expect(held.version).toBeGreaterThan(backupAt + 2);
    expect(logs.filter((l) => l.includes("older than held"))).toEqual([]);
    const { regions } = await t.admin.request<{ regions: { items: { name: string; snapshotVersion: number; proxies: { id: string; snapshotVersion: number }[] }[] } }>(
      `{ regions { items { name snapshotVersion proxies { id snapshotVersion } } } }`,
    );
    expect(regions.items.find((r) => r.name === "eu")).toEqual({ name: "eu", snapshotVersion: held.version, proxies: [{ id: "prx_restore", snapshotVersion: held.version }] });
    // The revoked key must not be served as active any more.
    expect(held.keys[hashSecret(s.secret)]?.status ?? "gone").not.toBe("active");
  } finally {
    await loop.stop();
    kv.close();
  }
}, 60_000);
