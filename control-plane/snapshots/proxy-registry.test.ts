/**
 * A region token records only its own region's proxies: polling with another region's proxy id adds a
 * row under the polling region and leaves the other region's row as it was (last seen, version), so
 * a stale proxy stays visible in `regions { proxies }`. The self-reported snapshot version is capped
 * at the latest snapshot version of the region.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { SNAPSHOT_PATH_PREFIX } from "../../shared/internal-api.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let s: Seeded;
let db: postgres.Sql;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  db = t.openSql();
});

const poll = async (region: string, token: string, proxyId: string, version: string) => {
  const response = await fetch(new URL(SNAPSHOT_PATH_PREFIX + region, t.cp.url), {
    headers: { authorization: `Bearer ${token}`, "x-proxy-id": proxyId, "x-proxy-snapshot-version": version },
  });
  await response.text();
  return response.status;
};
const latest = async (region: string) => (await db<{ v: number }[]>`select max(version)::int as v from snapshots where region = ${region}`)[0]!.v;
const proxies = async () => {
  const { regions } = await t.admin.request<{ regions: { items: { name: string; proxies: { id: string; snapshotVersion: number; lastSeenAt: string }[] }[] } }>(
    `{ regions { items { name proxies { id snapshotVersion lastSeenAt } } } }`,
  );
  return Object.fromEntries(regions.items.map((r) => [r.name, r.proxies]));
};

test("another region's token cannot move or rewrite a proxy's row", async () => {
  expect(await poll("eu", s.euToken, "prx_eu_1", "3")).toBe(200);
  const before = (await proxies()).eu!;
  expect(before.map((p) => [p.id, p.snapshotVersion])).toEqual([["prx_eu_1", 3]]);
  expect(await poll("us", s.usToken, "prx_eu_1", "999999")).toBe(200);
  const after = await proxies();
  expect(after.eu).toEqual(before);
  expect(after.us!.map((p) => p.id)).toEqual(["prx_eu_1"]);
  expect(after.us![0]!.snapshotVersion).toBe(await latest("us"));
});

test("a self-reported version beyond the region's latest snapshot is stored as that latest version", async () => {
  expect(await poll("eu", s.euToken, "prx_eu_2", "999999")).toBe(200);
  const row = (await proxies()).eu!.find((p) => p.id === "prx_eu_2")!;
  expect(row.snapshotVersion).toBe(await latest("eu"));
  expect(await poll("eu", s.euToken, "prx_eu_2", "2")).toBe(200);
  expect((await proxies()).eu!.find((p) => p.id === "prx_eu_2")!.snapshotVersion).toBe(2);
});
