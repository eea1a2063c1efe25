/**
 * A refused killSwitch or rotateRegionToken names what it aimed at as its row's target — the kill
 * switch's target id (a tenant, a key, a deployment, or the provider's name), the region's name — so
 * auditLog(target:) finds the attempt. Masked like every other refused id (a secret sent as one).
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { addTenant } from "../testing/add-tenant.ts";
import { errorCode, principalWith } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
let seeded: Seeded;
beforeAll(async () => {
  sql = t.openSql();
  seeded = await seedConfig(t.admin);
});

const newestRefusal = async (field: string): Promise<{ actor: string; target: string }> =>
  (await sql<{ actor: string; target: string }[]>`select actor, target from audit_log where action = ${`refused.${field}`} order by id desc limit 1`)[0]!;

const killSwitch = `mutation($kind: String!, $id: ID!) { killSwitch(target: { kind: $kind, id: $id }, reason: "probe") { affected } }`;

test("a tenant admin's refused kill switches name the tenant and the provider they aimed at", async () => {
  const teamA = await addTenant(t.admin, "team-a-target", seeded.tenantId);
  const teamB = await addTenant(t.admin, "team-b-target", seeded.tenantId);
  const ta = await principalWith(t.admin, t.cp.url, "ta-target", [{ role: "tenant_admin", tenantId: teamA }]);
  expect(await errorCode(ta.client.request(killSwitch, { kind: "tenant", id: teamB }))).toBe("NOT_FOUND");
  expect(await newestRefusal("killSwitch")).toEqual({ actor: ta.id, target: teamB });
  expect(await errorCode(ta.client.request(killSwitch, { kind: "provider", id: "openai" }))).toBe("FORBIDDEN");
  expect(await newestRefusal("killSwitch")).toEqual({ actor: ta.id, target: "openai" });
});

test("a refused rotateRegionToken names the region", async () => {
  const viewer = await principalWith(t.admin, t.cp.url, "viewer-target", [{ role: "viewer" }]);
  expect(await errorCode(viewer.client.request(`mutation { rotateRegionToken(name: "eu") { token } }`))).toBe("FORBIDDEN");
  expect(await newestRefusal("rotateRegionToken")).toEqual({ actor: viewer.id, target: "eu" });
});

test("a secret sent as a kill switch's target id is masked in the row's target", async () => {
  const viewer = await principalWith(t.admin, t.cp.url, "viewer-secret-target", [{ role: "viewer" }]);
  expect(await errorCode(viewer.client.request(killSwitch, { kind: "key", id: "sk-proj-LIVESECRET0123456789abcdefABCDEF" }))).toBe("FORBIDDEN");
  expect((await newestRefusal("killSwitch")).target).toBe("sk-… (secret-shaped: not quoted)");
});
