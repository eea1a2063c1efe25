/**
 * A region token (regtok_) is the only credential for snapshot reads, usage ingest (what tenants are
 * billed) and budget leases. rotateRegionToken replaces a leaked one: the new token works at once, the
 * previous one for graceMinutes (so running proxies can be redeployed without an outage), then 401 on
 * all three endpoints; graceMinutes 0 revokes it at once.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { SNAPSHOT_PATH_PREFIX, USAGE_PATH } from "../../shared/internal-api.ts";
import { LEASES_PATH } from "../../shared/leases/lease-wire.ts";
import { errorCode, principalWith } from "../testing/principals.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
beforeAll(() => {
  sql = t.openSql();
});

type Rotated = { token: string; previousTokenValidUntil: string | null; region: { name: string } };
const createRegion = async (name: string) =>
  (await t.admin.request<{ createRegion: { token: string } }>(`mutation($n: String!) { createRegion(input: { name: $n }) { token } }`, { n: name })).createRegion.token;
const rotate = async (name: string, graceMinutes?: number, client = t.admin) =>
  (
    await client.request<{ rotateRegionToken: Rotated }>(
      `mutation($n: String!, $g: Int) { rotateRegionToken(name: $n, graceMinutes: $g) { token previousTokenValidUntil region { name } } }`,
      { n: name, g: graceMinutes },
    )
  ).rotateRegionToken;

/** The status of each region-token endpoint for `token` of `region`: snapshot, usage ingest, leases. */
async function statuses(region: string, token: string): Promise<number[]> {
  const authorization = `Bearer ${token}`;
  const post = (path: string) => fetch(new URL(path, t.cp.url), { method: "POST", headers: { authorization, "content-type": "application/json" }, body: JSON.stringify({ events: [], levels: [] }) });
  const snapshot = await fetch(new URL(SNAPSHOT_PATH_PREFIX + region, t.cp.url), { headers: { authorization } });
  const usage = await post(USAGE_PATH);
  const leases = await post(LEASES_PATH);
  return [snapshot.status, usage.status, leases.status];
}
const refused = [401, 401, 401];

test("graceMinutes 0: the old token is refused at once on snapshot, usage and leases; the new one is accepted", async () => {
  const old = await createRegion("eu");
  expect(await statuses("eu", old)).not.toContain(401);
  const rotated = await rotate("eu", 0);
  expect(rotated.token).toMatch(/^regtok_[0-9a-z]{40}$/);
  expect(rotated.token).not.toBe(old);
  expect(rotated.previousTokenValidUntil).toBeNull();
  expect(rotated.region.name).toBe("eu");
  expect(await statuses("eu", old)).toEqual(refused);
  expect(await statuses("eu", rotated.token)).not.toContain(401);
});

test("by default the previous token keeps working for 60 minutes, then gets 401 everywhere", async () => {
  const old = await createRegion("us");
  const before = Date.now();
  const rotated = await rotate("us");
  const until = Date.parse(rotated.previousTokenValidUntil!);
  expect(until).toBeGreaterThanOrEqual(before + 60 * 60_000 - 5_000);
  expect(until).toBeLessThanOrEqual(Date.now() + 60 * 60_000 + 5_000);
  expect(await statuses("us", old)).not.toContain(401);
  expect(await statuses("us", rotated.token)).not.toContain(401);

  // The grace ends: the stored expiry passes.
  await sql`update regions set previous_token_expires_at = now() - interval '1 second' where name = 'us'`;
  expect(await statuses("us", old)).toEqual(refused);
  expect(await statuses("us", rotated.token)).not.toContain(401);
});

test("a second rotation ends the first one's grace: only the current and the one before it are accepted", async () => {
  const first = await createRegion("ap");
  const second = await rotate("ap", 30);
  const third = await rotate("ap", 30);
  expect(await statuses("ap", first)).toEqual(refused);
  expect(await statuses("ap", second.token)).not.toContain(401);
  expect(await statuses("ap", third.token)).not.toContain(401);
});

test("a missing region is NOT_FOUND, a grace outside 0..10080 minutes BAD_USER_INPUT, only admins may rotate, and it is audited without the token", async () => {
  expect(await errorCode(rotate("mars"))).toBe("NOT_FOUND");
  expect(await errorCode(rotate("eu", -1))).toBe("BAD_USER_INPUT");
  expect(await errorCode(rotate("eu", 10_081))).toBe("BAD_USER_INPUT");
  const approver = await principalWith(t.admin, t.cp.url, "ava", [{ role: "approver" }]);
  expect(await errorCode(rotate("eu", 0, approver.client))).toBe("FORBIDDEN");
  const admin = await principalWith(t.admin, t.cp.url, "adam", [{ role: "admin" }]);
  const rotated = await rotate("eu", 5, admin.client);

  const { auditLog } = await t.admin.request<{ auditLog: { items: { action: string; actor: string; target: string; after: unknown }[] } }>(
    `{ auditLog(first: 50, action: "region.rotateToken") { items { action actor target after } } }`,
  );
  expect(auditLog.items[0]).toEqual({ action: "region.rotateToken", actor: admin.id, target: "eu", after: { graceMinutes: 5, previousTokenValidUntil: rotated.previousTokenValidUntil } });
  expect(JSON.stringify(auditLog.items)).not.toContain("regtok_");
  expect(auditLog.items.map((e) => e.target).sort()).toEqual(["ap", "ap", "eu", "eu", "us"]);
});
