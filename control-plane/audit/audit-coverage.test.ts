/**
 * Done-when 4: every mutation the API offers leaves an audit row (actor, action, target, client
 * address); editing one row in the database makes verification fail naming that row. The client
 * address is the socket's unless x-forwarded-for is configured as trusted.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { adminClient } from "../../infra/local/admin-client.ts";
import { buildControlPlaneSchema } from "../graphql/build-schema.ts";
import { principalWith } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

let t: TestControlPlane;
let seeded: Seeded;
beforeAll(async () => {
  t = await startTestControlPlane({ trustForwardedFor: true });
  seeded = await seedConfig(t.admin);
});
afterAll(async () => {
  await t.close();
});

type Entry = { action: string; actor: string; target: string; clientAddress: string | null; breakGlass: boolean };
async function auditTail(n: number): Promise<Entry[]> {
  const { auditLog } = await t.admin.request<{ auditLog: { items: Entry[] } }>(`query($n: Int) { auditLog(first: $n) { items { action actor target clientAddress breakGlass } } }`, { n });
  return auditLog.items;
}

test("every mutation writes an audit row with actor and client address", async () => {
  const done = new Map<string, string>(); // mutation → audit action
  const run = async (mutation: string, action: string, query: string, variables: Record<string, unknown> = {}, client = t.admin) => {
    const data = await client.request<any>(query, variables);
    done.set(mutation, action);
    return data[mutation];
  };
  const team = await run("createTenant", "tenant.create", `mutation($p: ID) { createTenant(input: { name: "team", parentId: $p }) { id } }`, { p: seeded.tenantId });
  await run("moveTenant", "tenant.move", `mutation($id: ID!) { moveTenant(id: $id, parentId: null) { id } }`, { id: team.id });
  const key = await run("createKey", "key.create", `mutation($t: ID!) { createKey(input: { tenantId: $t, name: "k" }) { key { id } } }`, { t: team.id });
  const rotated = await run("rotateKey", "key.rotate", `mutation($id: ID!) { rotateKey(input: { id: $id }) { key { id } } }`, { id: key.key.id });
  await run("revokeKey", "key.revoke", `mutation($id: ID!) { revokeKey(id: $id) { id } }`, { id: rotated.key.id });
  const dep = await run("createDeployment", "deployment.create", `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, {
    i: { provider: "openai", baseUrl: "https://x.example/v1", model: "x", region: "eu", credentialRef: "env:X" },
  });
  // Priced before an alias routes to it (an alias may not route to an unpriced model).
  await run("setPrice", "price.set", `mutation { setPrice(input: { provider: "openai", model: "x", inputUsdPerMillion: 1, outputUsdPerMillion: 2 }) { model } }`);
  await run("createAlias", "alias.create", `mutation($d: ID!) { createAlias(input: { name: "audited", deploymentIds: [$d] }) { name } }`, { d: dep.id });
  await run("updateAlias", "alias.update", `mutation($d: [ID!]!) { updateAlias(input: { name: "audited", deploymentIds: $d }) { name } }`, { d: [dep.id, seeded.euDeploymentId] });
  await run("createRegion", "region.create", `mutation { createRegion(input: { name: "apac" }) { token } }`);
  await run("updateRegion", "region.update", `mutation { updateRegion(input: { name: "apac", publicUrl: "https://apac.gw.example" }) { publicUrl } }`);
  await run("rotateRegionToken", "region.rotateToken", `mutation { rotateRegionToken(name: "apac") { token } }`);
  const principal = await run("createPrincipal", "principal.create", `mutation { createPrincipal(input: { name: "pat", kind: "service" }) { id } }`);
  await run("grantRole", "principal.grant", `mutation($p: ID!) { grantRole(input: { principalId: $p, role: "approver" }) { id } }`, { p: principal.id });
  const token = await run("issueToken", "token.issue", `mutation($p: ID!) { issueToken(input: { principalId: $p, ttlSeconds: 60 }) { token jti } }`, { p: principal.id });
  const pat = adminClient(t.cp.url, token.token);
  const approver = await principalWith(t.admin, t.cp.url, "approver-2", [{ role: "approver" }]);
  const op = { op: "price.set", price: { provider: "openai", model: "y", inputUsdPerMillion: 1, outputUsdPerMillion: 1 } };
  const cr = await run("proposeChange", "change.propose", `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "d", operations: [op] } }, pat);
  await run("approveChange", "change.approve", `mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: cr.id }, approver.client);
  const cr2 = await run("proposeChange", "change.propose", `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "d2", operations: [{ ...op, price: { ...op.price, model: "z" } }] } }, pat);
  await run("rejectChange", "change.reject", `mutation($id: ID!) { rejectChange(id: $id) { id } }`, { id: cr2.id }, approver.client);
  const cr3 = await run("proposeChange", "change.propose", `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "d3", operations: [{ ...op, price: { ...op.price, model: "w" } }] } }, pat);
  await run("withdrawChange", "change.withdraw", `mutation($id: ID!) { withdrawChange(id: $id) { id } }`, { id: cr3.id }, pat);
  await run("proposeRollback", "change.proposeRollback", `mutation { proposeRollback(toVersion: 1) { id } }`, {}, pat);
  await run("killSwitch", "killswitch.provider", `mutation { killSwitch(target: { kind: "provider", id: "openai" }, reason: "drill") { affected } }`);
  await run("revokeRole", "principal.revokeRole", `mutation($p: ID!) { revokeRole(input: { principalId: $p, role: "approver" }) { id } }`, { p: principal.id });
  await run("revokeToken", "token.revoke", `mutation($j: ID!) { revokeToken(jti: $j) { jti } }`, { j: token.jti });

  const schema = await buildControlPlaneSchema();
  expect([...done.keys()].sort()).toEqual(Object.keys(schema.getMutationType()!.getFields()).sort());
  const log = await auditTail(200);
  for (const [mutation, action] of done) {
    const rows = log.filter((e) => e.action === action);
    expect([mutation, rows.length > 0]).toEqual([mutation, true]);
    for (const row of rows) {
      expect(row.actor).toMatch(/^(adm|prn)_/);
      expect(row.clientAddress).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
    }
  }
  expect(log.find((e) => e.action === "killswitch.provider")).toMatchObject({ breakGlass: true, target: "openai" });
  expect(log.filter((e) => e.breakGlass).map((e) => e.action)).toEqual(["killswitch.provider"]);
  expect(log.find((e) => e.action === "change.propose")!.actor).toBe(principal.id);
});

test("x-forwarded-for is recorded only when trusted; an edited row breaks the chain at that row", async () => {
  const response = await fetch(new URL("/graphql", t.cp.url), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${t.adminToken}`, "x-forwarded-for": "203.0.113.9, 10.0.0.1" },
    body: JSON.stringify({ query: `mutation { createTenant(input: { name: "forwarded" }) { id } }` }),
  });
  expect(response.status).toBe(200);
  const [latest] = await auditTail(1);
  expect(latest).toMatchObject({ action: "tenant.create", clientAddress: "203.0.113.9" });

  const untrusted = await startTestControlPlane();
  try {
    await fetch(new URL("/graphql", untrusted.cp.url), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${untrusted.adminToken}`, "x-forwarded-for": "203.0.113.9" },
      body: JSON.stringify({ query: `mutation { createTenant(input: { name: "spoofed" }) { id } }` }),
    });
    const { auditLog } = await untrusted.admin.request<any>(`{ auditLog(first: 1) { items { clientAddress } } }`);
    expect(auditLog.items[0].clientAddress).not.toBe("203.0.113.9");
    expect(auditLog.items[0].clientAddress).toMatch(/127\.0\.0\.1|::1/);
  } finally {
    await untrusted.close();
  }

  const verify = async () => (await t.admin.request<any>(`{ verifyAuditChain { ok brokenAt } }`)).verifyAuditChain;
  expect(await verify()).toEqual({ ok: true, brokenAt: null });
  const sql = postgres(t.db.url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select id from audit_log where action = 'killswitch.provider'`;
    // Hiding that a change was break-glass is tampering too.
    // The append-only trigger must be switched off on purpose first (only the table owner can).
    await sql.begin(async (tx) => {
      await tx`alter table audit_log disable trigger audit_log_append_only`;
      await tx`update audit_log set break_glass = false where id = ${row!.id}`;
      await tx`alter table audit_log enable trigger audit_log_append_only`;
    });
    expect(await verify()).toEqual({ ok: false, brokenAt: Number(row!.id) });
  } finally {
    await sql.end();
  }
});
