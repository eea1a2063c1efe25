/**
 * A refused mutation's audit row and answer quote the caller's id bounded and without secrets (review
 * rj J2): notFound quoted the id whole, so `revokeKey(id: <900 KB>)` wrote a ~900 KB row to the
 * append-only log per request (a tenant admin can at will), and a key's secret passed where its id
 * belongs was kept in the row's target and message for every auditLog reader to use.
 */
import { beforeAll, expect, test } from "bun:test";
import { principalWith } from "../testing/principals.ts";
import { rawGraphQL, useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let tenantId: string;
beforeAll(async () => {
  tenantId = (await t.admin.request<any>(`mutation { createTenant(input: { name: "acme" }) { id } }`)).createTenant.id;
});

const revoke = (token: string, id: string) => rawGraphQL(t.cp.url, token, JSON.stringify({ query: `mutation($id: ID!) { revokeKey(id: $id) { id } }`, variables: { id } }));

test("a refused mutation with a 900 KB id writes a bounded audit row and answers a bounded message", async () => {
  const ta = await principalWith(t.admin, t.cp.url, "ta", [{ role: "tenant_admin", tenantId }]);
  const sql = t.openSql();
  const r = await revoke(ta.token, "x".repeat(900_000));
  expect(r.json.errors[0].extensions.code).toBe("NOT_FOUND");
  expect(r.json.errors[0].message.length).toBeLessThan(300);
  const [row] = await sql<{ n: number; action: string }[]>`select action, octet_length(after::text) + octet_length(target) as n from audit_log order by id desc limit 1`;
  expect(row!.action).toBe("refused.revokeKey");
  expect(row!.n).toBeLessThan(2_000);
});

test("a key's secret, or an admin token, passed as revokeKey's id is kept neither in the audit log nor in the answer", async () => {
  const created = await t.admin.request<any>(`mutation($i: CreateKeyInput!) { createKey(input: $i) { secret } }`, { i: { tenantId, name: "k" } });
  const secrets: string[] = [created.createKey.secret, t.adminToken];
  for (const secret of secrets) {
    const r = await revoke(t.adminToken, secret);
    expect(r.json.errors[0].extensions.code).toBe("NOT_FOUND");
    expect(r.json.errors[0].message).not.toContain(secret.slice(0, 16));
  }
  const viewer = await principalWith(t.admin, t.cp.url, "vi", [{ role: "viewer" }]);
  const log = await rawGraphQL(t.cp.url, viewer.token, JSON.stringify({ query: `{ auditLog(action: "refused.revokeKey") { items { target after } } }` }));
  const items = log.json.data.auditLog.items as any[];
  expect(items.length).toBeGreaterThanOrEqual(2);
  expect(items.filter((i) => secrets.some((s) => JSON.stringify(i).includes(s.slice(0, 16))))).toEqual([]);
});
