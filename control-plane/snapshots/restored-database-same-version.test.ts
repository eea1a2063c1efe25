/**
 * After the control plane's database is restored from a backup, changes made since may take the
 * version counter up to exactly the version a proxy holds (pre-restore content) before that proxy polls
 * again. Its poll used to be answered 304 (the ETag is the version alone), so it kept the pre-restore
 * config: a key revoked after the restore kept working there. The proxy now reports its held snapshot's
 * digest; the same version with another digest is republished past (audited `snapshot.republish`,
 * reason `proxy_other_content`), so that poll gets a strictly newer snapshot. A poll without the digest
 * (a proxy older than the header) is answered as before: 304 when its version is the latest. When the
 * republish cannot be made (the config lock busy), the poll is answered 200 with the latest, never 304:
 * the proxy sees the conflict and does not confirm what it holds.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { hashSecret } from "../../shared/ids.ts";
import { SNAPSHOT_PATH_PREFIX } from "../../shared/internal-api.ts";
import { holdConfigLock } from "../testing/hold-config-lock.ts";
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
const t = useTestControlPlane({ configLockTimeoutMs: 300 });
let s: Awaited<ReturnType<typeof seedConfig>>;
beforeAll(async () => {
  s = await seedConfig(t.admin);
});

test("a key revoked after a restore stops working at a proxy whose version the counter reached again", async () => {
  const db: postgres.Sql = t.openSql();
  const latest = () => latestConfigVersion(db);
  const backupAt = await latest(); // the backup is taken here

  const kv = await openProxyKv(dirs.make("restore-same-"));
  const logs: string[] = [];
  const current = new CurrentSnapshot();
  const trusted = await importTrustedKeys(t.cp.jwks);
  const loop = startSnapshotLoop({ region: "eu", trusted, current, kv, log: (l) => logs.push(l), controlPlaneUrl: t.cp.url, regionToken: s.euToken, proxyId: "prx_same", pollMs: 600_000 });
  try {
    await addKey(t.admin, s.tenantId, { name: "after-backup-1" });
    await addKey(t.admin, s.tenantId, { name: "after-backup-2" });
    await loop.pollOnce();
    const heldBefore = current.version();
    expect(heldBefore).toBe(backupAt + 2);

    // The database is restored from the backup.
    await restoreToVersion(db, backupAt, "after-backup-%");

    // Two changes, no poll between: the counter is at the proxy's version again, with other content.
    await t.admin.request(`mutation($id: ID!) { revokeKey(id: $id) { id } }`, { id: s.keyId });
    await addKey(t.admin, s.tenantId, { name: "after-restore" });
    expect(await latest()).toBe(heldBefore);

    // A proxy older than the digest header: answered as before (304, its version is the latest).
    const old = await fetch(new URL(SNAPSHOT_PATH_PREFIX + "eu", t.cp.url), {
      headers: { authorization: `Bearer ${s.euToken}`, "x-proxy-id": "prx_old", "x-proxy-snapshot-version": String(heldBefore), "if-none-match": `"${heldBefore}"` },
    });
    expect(old.status).toBe(304);
    expect(await latest()).toBe(heldBefore);

    await loop.pollOnce();
    const held = current.get()!.snapshot;
    expect(held.version).toBeGreaterThan(heldBefore);
    expect(held.version).toBe(await latest());
    expect(held.keys[hashSecret(s.secret)]?.status ?? "gone").not.toBe("active");
    expect(logs.filter((l) => l.startsWith("snapshot conflict: "))).toEqual([]);

    const audit = await db<{ actor: string; after: Record<string, unknown> }[]>`
      select actor, after from audit_log where action = 'snapshot.republish' order by id`;
    expect(audit.map((a) => [a.actor, a.after.reason, a.after.region, a.after.proxyId, a.after.heldVersion, a.after.latestVersion])).toEqual([
      ["system:config", "proxy_other_content", "eu", "prx_same", heldBefore, heldBefore],
    ]);
    // Polls after it publish nothing more.
    await loop.pollOnce();
    expect(await latest()).toBe(held.version);
  } finally {
    await loop.stop();
    kv.close();
  }
}, 60_000);

test("the latest version reported with another digest is not answered 304 while the republish cannot be made", async () => {
  const db: postgres.Sql = t.openSql(2);
  const [row] = await db<{ version: number; digest: string }[]>`select version, digest from snapshots where region = 'eu' order by version desc limit 1`;
  const poll = (digest: string) =>
    fetch(new URL(SNAPSHOT_PATH_PREFIX + "eu", t.cp.url), {
      headers: { authorization: `Bearer ${s.euToken}`, "x-proxy-id": "prx_busy", "x-proxy-snapshot-version": String(row!.version), "x-proxy-snapshot-digest": digest, "if-none-match": `"${row!.version}"` },
    });
  expect((await poll(row!.digest)).status).toBe(304);

  const other = "0".repeat(64);
  const release = await holdConfigLock(t.db.url);
  try {
    const answer = await poll(other);
    await answer.text();
    expect(answer.status).toBe(200);
    expect(answer.headers.get("etag")).toBe(`"${row!.version}"`);
    expect(t.logs.some((l) => l.includes(`republishing past version ${row!.version} failed`))).toBe(true);
  } finally {
    await release();
  }
  // The lock free again: the next such poll republishes past it.
  const answer = await poll(other);
  await answer.text();
  expect(answer.status).toBe(200);
  const [after] = await db<{ version: number }[]>`select max(version)::int as version from snapshots where region = 'eu'`;
  expect(after!.version).toBeGreaterThan(row!.version);
  expect(answer.headers.get("etag")).toBe(`"${after!.version}"`);
}, 30_000);
