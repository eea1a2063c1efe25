/**
 * A region token records only its own region's proxies: polling with another region's proxy id adds a
 * row under the polling region and leaves the other region's row as it was (last seen, version), so
 * a stale proxy stays visible in `regions { proxies }`. The self-reported snapshot version is stored as
 * reported; one above the latest (a restored database) republishes the configuration past it
 * (republish-past-version.ts). A region's proxies not seen for PROXY_RETENTION_HOURS
 * are forgotten the next time one of that region's proxies polls.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { SNAPSHOT_PATH_PREFIX } from "../../shared/internal-api.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { PROXY_RETENTION_HOURS } from "./snapshot.repo.ts";
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
  expect(await poll("us", s.usToken, "prx_eu_1", "2")).toBe(200);
  const after = await proxies();
  expect(after.eu).toEqual(before);
  expect(after.us!.map((p) => p.id)).toEqual(["prx_eu_1"]);
  expect(after.us![0]!.snapshotVersion).toBe(2);
});

test("a self-reported version beyond the region's latest is stored as reported, and republished past", async () => {
  const before = await latest("eu");
  const response = await fetch(new URL(SNAPSHOT_PATH_PREFIX + "eu", t.cp.url), {
    headers: { authorization: `Bearer ${s.euToken}`, "x-proxy-id": "prx_eu_2", "x-proxy-snapshot-version": String(before + 5) },
  });
  await response.text();
  expect(response.status).toBe(200);
  expect(response.headers.get("etag")).toBe(`"${before + 6}"`);
  const row = (await proxies()).eu!.find((p) => p.id === "prx_eu_2")!;
  expect(row.snapshotVersion).toBe(before + 5);
  expect(await latest("eu")).toBe(before + 6);
  expect(await latest("us")).toBe(before + 6);
  const audit = await db<{ actor: string; after: Record<string, unknown> }[]>`select actor, after from audit_log where action = 'snapshot.republish' order by id`;
  expect(audit.map((a) => [a.actor, a.after])).toEqual([
    ["system:config", { reason: "proxy_ahead", region: "eu", proxyId: "prx_eu_2", heldVersion: before + 5, latestVersion: before }],
  ]);
  // Polls reporting the same version again publish nothing more.
  expect(await poll("eu", s.euToken, "prx_eu_3", String(before + 5))).toBe(200);
  expect(await latest("eu")).toBe(before + 6);
  expect(await poll("eu", s.euToken, "prx_eu_2", "2")).toBe(200);
  expect((await proxies()).eu!.find((p) => p.id === "prx_eu_2")!.snapshotVersion).toBe(2);
});

test("a poll forgets its region's proxies not seen for the retention, keeps recent ones and other regions'", async () => {
  const seenHoursAgo = async (region: string, id: string, hours: number) => {
    await db`insert into proxies (id, region, snapshot_version, last_seen_at) values (${id}, ${region}, 1, now() - ${hours} * interval '1 hour')`;
  };
  await seenHoursAgo("eu", "prx_eu_gone", PROXY_RETENTION_HOURS + 1);
  await seenHoursAgo("eu", "prx_eu_lagging", PROXY_RETENTION_HOURS - 1);
  await seenHoursAgo("us", "prx_us_gone", PROXY_RETENTION_HOURS + 1);
  // Still listed until a proxy of their region polls: the list is not filtered, the poll deletes.
  expect((await proxies()).eu!.map((p) => p.id)).toContain("prx_eu_gone");

  expect(await poll("eu", s.euToken, "prx_eu_3", "1")).toBe(200);
  const afterEu = await proxies();
  expect(afterEu.eu!.map((p) => p.id)).not.toContain("prx_eu_gone");
  expect(afterEu.eu!.find((p) => p.id === "prx_eu_lagging")!.snapshotVersion).toBe(1);
  expect(afterEu.eu!.map((p) => p.id)).toContain("prx_eu_3");
  // An eu token touches only eu's rows.
  expect(afterEu.us!.map((p) => p.id)).toContain("prx_us_gone");

  expect(await poll("us", s.usToken, "prx_us_1", "1")).toBe(200);
  expect((await proxies()).us!.map((p) => p.id)).not.toContain("prx_us_gone");
});

test("a proxy itself unseen past the retention is listed again at its next poll", async () => {
  await db`update proxies set last_seen_at = now() - ${PROXY_RETENTION_HOURS + 1} * interval '1 hour' where region = 'eu' and id = 'prx_eu_3'`;
  expect(await poll("eu", s.euToken, "prx_eu_3", "2")).toBe(200);
  const row = (await proxies()).eu!.find((p) => p.id === "prx_eu_3")!;
  expect(row.snapshotVersion).toBe(2);
  expect(Date.now() - Date.parse(row.lastSeenAt)).toBeLessThan(60_000);
});
