/**
 * Every config change stores a signed snapshot per region, and only the newest of a region is ever
 * served: publishing prunes older ones in the same transaction, keeping SNAPSHOTS_KEPT per region, so
 * the table holds a bounded number of (possibly megabyte) rows instead of one per region per change.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { SNAPSHOT_PATH_PREFIX } from "../../shared/internal-api.ts";
import { importTrustedKeys, verifySnapshot } from "../../shared/snapshot/verify.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { SNAPSHOTS_KEPT } from "./publish-snapshots.ts";

const t = useTestControlPlane();
let s: Seeded;
let db: postgres.Sql;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  db = t.openSql();
});

const rowsPerRegion = async () =>
  Object.fromEntries(
    (await db<{ region: string; n: number; newest: number }[]>`
      select region, count(*)::int as n, max(version)::int as newest from snapshots group by region order by region`).map((r) => [r.region, r]),
  );
const configVersion = async () => (await t.admin.request<{ configVersion: number }>(`{ configVersion }`)).configVersion;

async function served(region: string, token: string) {
  const response = await fetch(new URL(SNAPSHOT_PATH_PREFIX + region, t.cp.url), { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  const verdict = await verifySnapshot(await response.text(), await importTrustedKeys(t.cp.jwks), region);
  if (!verdict.ok) throw new Error(`snapshot rejected: ${verdict.reason} ${verdict.detail}`);
  return verdict.snapshot;
}

test("after many changes each region keeps at most SNAPSHOTS_KEPT snapshots, and the newest still serves", async () => {
  expect(SNAPSHOTS_KEPT).toBeGreaterThanOrEqual(1);
  const changes = SNAPSHOTS_KEPT * 2 + 3;
  for (let i = 0; i < changes; i++) {
    await t.admin.request(`mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }`, { i: { name: `pruned-${i}` } });
  }
  const version = await configVersion();
  const rows = await rowsPerRegion();
  expect(Object.keys(rows)).toEqual(["eu", "us"]);
  for (const region of ["eu", "us"]) {
    expect([region, rows[region]!.n]).toEqual([region, SNAPSHOTS_KEPT]);
    expect(rows[region]!.newest).toBe(version);
  }
  // The ones kept are the newest: versions version-KEPT+1 .. version.
  const kept = await db<{ version: number }[]>`select version from snapshots where region = 'eu' order by version`;
  expect(kept.map((r) => r.version)).toEqual(Array.from({ length: SNAPSHOTS_KEPT }, (_, i) => version - SNAPSHOTS_KEPT + 1 + i));
  const eu = await served("eu", s.euToken);
  expect(eu.version).toBe(version);
  expect(Object.values(eu.tenants).some((tenant) => tenant.name === `pruned-${changes - 1}`)).toBe(true);
  expect((await served("us", s.usToken)).version).toBe(version);
});

test("a region created later keeps its own few, not fewer because other regions have more", async () => {
  const { createRegion } = await t.admin.request<{ createRegion: { token: string } }>(`mutation { createRegion(input: { name: "ap" }) { token } }`);
  await t.admin.request(`mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }`, { i: { name: "after-ap" } });
  const rows = await rowsPerRegion();
  expect(rows.ap!.n).toBe(Math.min(2, SNAPSHOTS_KEPT));
  expect(rows.eu!.n).toBe(SNAPSHOTS_KEPT);
  expect((await served("ap", createRegion.token)).version).toBe(await configVersion());
});
