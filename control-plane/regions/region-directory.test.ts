/** Regions carry an optional public URL; every snapshot publishes the directory of regions, their jurisdictions and URLs. */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { parseSnapshot, type Snapshot } from "../../shared/snapshot/schema.ts";
import { errorCode, principalWith } from "../testing/principals.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
beforeAll(() => {
  sql = t.openSql();
});

const createRegion = (name: string, publicUrl?: string | null) =>
  t.admin.request<{ createRegion: { region: { name: string; publicUrl: string | null } } }>(
    `mutation($i: CreateRegionInput!) { createRegion(input: $i) { region { name publicUrl } } }`,
    { i: { name, publicUrl } },
  );
const updateRegion = (name: string, publicUrl: string | null, client = t.admin) =>
  client.request<{ updateRegion: { name: string; publicUrl: string | null } }>(
    `mutation($i: UpdateRegionInput!) { updateRegion(input: $i) { name publicUrl } }`,
    { i: { name, publicUrl } },
  );
const deployment = (region: string, model: string, jurisdiction: string | null) =>
  t.admin
    .request<{ createDeployment: { id: string } }>(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, {
      i: { provider: "openai", baseUrl: `https://${region}.vendor.example/v1`, model, region, credentialRef: "env:K", jurisdiction },
    })
    .then((r) => r.createDeployment.id);
async function latestSnapshot(region: string): Promise<Snapshot> {
  const [row] = await sql`select jws from snapshots where region = ${region} order by version desc limit 1`;
  const parsed = parseSnapshot(JSON.parse(Buffer.from(String(row!.jws).split(".")[1]!, "base64url").toString("utf8")));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

test("publicUrl must be an absolute http(s) URL without credentials, query or fragment", async () => {
  for (const bad of ["eu.gw.example", "ftp://eu.gw.example", "https://user:pw@eu.gw.example", "https://eu.gw.example/?x=1", "https://eu.gw.example/#a", `https://${"a".repeat(2050)}.example`]) {
    expect([bad, await errorCode(createRegion("eu", bad))]).toEqual([bad, "BAD_USER_INPUT"]);
  }
  const { regions } = await t.admin.request<{ regions: { items: unknown[] } }>(`{ regions { items { name } } }`);
  expect(regions.items).toEqual([]);
});

test("the directory lists every region with its enabled deployments' jurisdictions and URL, in every snapshot", async () => {
  expect((await createRegion("eu", "https://eu.gw.example")).createRegion.region).toEqual({ name: "eu", publicUrl: "https://eu.gw.example" });
  expect((await createRegion("us")).createRegion.region).toEqual({ name: "us", publicUrl: null });
  await createRegion("ap", null);
  await deployment("eu", "m-eu", "eu");
  const swiss = await deployment("eu", "m-ch", "ch");
  await deployment("eu", "m-eu-2", "eu");
  await deployment("us", "m-us", "us");
  await deployment("us", "m-unknown", null);

  const { configVersion: before } = await t.admin.request<{ configVersion: number }>(`{ configVersion }`);
  expect((await updateRegion("us", "http://127.0.0.1:4001")).updateRegion).toEqual({ name: "us", publicUrl: "http://127.0.0.1:4001" });
  const { configVersion: after } = await t.admin.request<{ configVersion: number }>(`{ configVersion }`);
  expect(after).toBe(before + 1);

  const expected = {
    // No alias is configured here, so no region lists one (per-alias traits: compile-snapshot.test.ts).
    ap: { jurisdictions: [], publicUrl: null, aliases: {} },
    eu: { jurisdictions: ["ch", "eu"], publicUrl: "https://eu.gw.example", aliases: {} },
    us: { jurisdictions: ["us"], publicUrl: "http://127.0.0.1:4001", aliases: {} },
  };
  for (const region of ["ap", "eu", "us"]) {
    const snapshot = await latestSnapshot(region);
    expect(snapshot.version).toBe(after);
    expect(snapshot.regionDirectory).toEqual(expected);
  }

  // A disabled deployment no longer counts for its region's jurisdictions.
  await t.admin.request(`mutation($id: ID!) { killSwitch(target: { kind: "deployment", id: $id }, reason: "drill") { affected } }`, { id: swiss });
  expect((await latestSnapshot("us")).regionDirectory?.eu).toEqual({ jurisdictions: ["eu"], publicUrl: "https://eu.gw.example", aliases: {} });

  // Clearing the URL republishes too.
  expect((await updateRegion("eu", null)).updateRegion.publicUrl).toBeNull();
  expect((await latestSnapshot("ap")).regionDirectory?.eu).toEqual({ jurisdictions: ["eu"], publicUrl: null, aliases: {} });
});

test("updateRegion: a missing region is NOT_FOUND, a bad URL BAD_USER_INPUT, only admins may call it, and it is audited", async () => {
  expect(await errorCode(updateRegion("mars", "https://mars.example"))).toBe("NOT_FOUND");
  expect(await errorCode(updateRegion("eu", "javascript:alert(1)"))).toBe("BAD_USER_INPUT");
  const approver = await principalWith(t.admin, t.cp.url, "ava", [{ role: "approver" }]);
  expect(await errorCode(updateRegion("eu", "https://evil.example", approver.client))).toBe("FORBIDDEN");
  // Unlike the routing mutations it is not bootstrap-only: an admin acting with a JWT may set it.
  const admin = await principalWith(t.admin, t.cp.url, "adam", [{ role: "admin" }]);
  expect((await updateRegion("eu", "https://eu.gw.example", admin.client)).updateRegion.publicUrl).toBe("https://eu.gw.example");

  const { auditLog } = await t.admin.request<{ auditLog: { items: { action: string; actor: string; target: string; before: unknown; after: unknown }[] } }>(
    `{ auditLog(first: 50, action: "region.update") { items { action actor target before after } } }`,
  );
  expect(auditLog.items[0]).toEqual({ action: "region.update", actor: admin.id, target: "eu", before: { publicUrl: null }, after: { publicUrl: "https://eu.gw.example" } });
  expect(auditLog.items.filter((e) => e.action === "region.update").map((e) => e.target).sort()).toEqual(["eu", "eu", "us"]);
});
