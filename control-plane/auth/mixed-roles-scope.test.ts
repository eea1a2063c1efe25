/**
 * A principal holding a global role and tenant_admin of one team is scoped per field by the roles that
 * grant that field: viewer and approver do not read money, so for spend, budgetStatus, limitStatus and
 * budgetAlerts such a principal reaches only the team's subtree (NOT_FOUND elsewhere, audited as a
 * probe); for the fields every global role reads (tenants, tenant, keys, change requests, audit log)
 * its global role still reaches every tenant.
 */
import { beforeAll, expect, test } from "bun:test";
import { errorCode, principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { addTenant } from "../testing/add-tenant.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let org: string, team: string, project: string, sibling: string, other: string;
let teamKey: string, otherKey: string;
let mixed: ActingPrincipal[];
beforeAll(async () => {
  org = await addTenant(t.admin, "org");
  team = await addTenant(t.admin, "team", org);
  project = await addTenant(t.admin, "project", team);
  sibling = await addTenant(t.admin, "sibling", org);
  other = await addTenant(t.admin, "other-company");
  teamKey = await addKey(project);
  otherKey = await addKey(other);
  mixed = [
    await principalWith(t.admin, t.cp.url, "viewer-and-team-admin", [{ role: "viewer" }, { role: "tenant_admin", tenantId: team }]),
    await principalWith(t.admin, t.cp.url, "approver-and-team-admin", [{ role: "approver" }, { role: "tenant_admin", tenantId: team }]),
  ];
});

async function addKey(tenantId: string): Promise<string> {
  const { createKey } = await t.admin.request<{ createKey: { key: { id: string } } }>(`mutation($i: CreateKeyInput!) { createKey(input: $i) { key { id } } }`, {
    i: { tenantId, name: "k" },
  });
  return createKey.key.id;
}

const MONEY_BY_TENANT = {
  spend: `query($t: ID!) { spend(tenantId: $t, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { tenantId costMicros } }`,
  budgetStatus: `query($t: ID!) { budgetStatus(tenantId: $t) { tenantId } }`,
  budgetAlerts: `query($t: ID!) { budgetAlerts(tenantId: $t) { id } }`,
};
const LIMIT_STATUS = `query($k: ID!) { limitStatus(keyId: $k) { keyId } }`;

/** "READ" or the error code, per field and tenant, so a failure shows the whole picture. */
async function moneyReads(p: ActingPrincipal, tenants: Record<string, string>, keys: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const attempt = async (label: string, request: Promise<unknown>) => {
    out[label] = await request.then(() => "READ", (e: { code?: string }) => e.code ?? String(e));
  };
  for (const [field, query] of Object.entries(MONEY_BY_TENANT)) for (const [name, id] of Object.entries(tenants)) await attempt(`${field}:${name}`, p.client.request(query, { t: id }));
  for (const [name, id] of Object.entries(keys)) await attempt(`limitStatus:${name}`, p.client.request(LIMIT_STATUS, { k: id }));
  return out;
}

test("viewer or approver + tenant_admin of a team reads money only in the team's subtree; NOT_FOUND elsewhere", async () => {
  for (const p of mixed) {
    const inside = await moneyReads(p, { team, project }, { teamKey });
    expect(Object.values(inside).every((v) => v === "READ")).toBe(true);
    const outside = await moneyReads(p, { org, sibling, other }, { otherKey });
    expect(Object.entries(outside).filter(([, v]) => v !== "NOT_FOUND")).toEqual([]);
  }
});

test("a mixed principal's money probe outside its team is audited as refused.<field>", async () => {
  // Fresh principals: a principal gets one refused-read row a minute, the rest summed later (audit/refused-read-throttle.ts).
  const bySpend = await principalWith(t.admin, t.cp.url, "viewer-probing-spend", [{ role: "viewer" }, { role: "tenant_admin", tenantId: team }]);
  const byLimit = await principalWith(t.admin, t.cp.url, "viewer-probing-limits", [{ role: "viewer" }, { role: "tenant_admin", tenantId: team }]);
  expect(await errorCode(bySpend.client.request(MONEY_BY_TENANT.spend, { t: other }))).toBe("NOT_FOUND");
  expect(await errorCode(byLimit.client.request(LIMIT_STATUS, { k: otherKey }))).toBe("NOT_FOUND");
  const refusedOf = async (p: ActingPrincipal) =>
    (
      await t.admin.request<{ auditLog: { items: { action: string; target: string | null }[] } }>(
        `query($a: String!) { auditLog(first: 100, actor: $a, action: "refused.") { items { action target } } }`,
        { a: p.id },
      )
    ).auditLog.items;
  expect((await refusedOf(bySpend)).map((e) => e.action)).toEqual(["refused.spend"]);
  expect((await refusedOf(byLimit)).map((e) => e.action)).toEqual(["refused.limitStatus"]);
});

test("finance + tenant_admin of a team, and admin, still read every tenant's money", async () => {
  const finance = await principalWith(t.admin, t.cp.url, "finance-and-team-admin", [{ role: "finance" }, { role: "tenant_admin", tenantId: team }]);
  const admin = await principalWith(t.admin, t.cp.url, "admin-person", [{ role: "admin" }]);
  for (const p of [finance, admin]) {
    const all = await moneyReads(p, { org, team, sibling, other }, { teamKey, otherKey });
    expect(Object.entries(all).filter(([, v]) => v !== "READ")).toEqual([]);
  }
});

test("fields every global role reads (tenants, tenant, keys, changeRequests, auditLog) stay global for a mixed principal", async () => {
  const before = await t.admin.request<{ changeRequests: { items: { id: string }[] } }>(`{ changeRequests(first: 100) { items { id } } }`);
  const { proposeChange } = await t.admin.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
    i: { description: "other company's rpm", operations: [{ op: "tenant.policy", id: other, tenantPolicy: { rpm: 10 } }] },
  });
  for (const p of mixed) {
    const { tenants } = await p.client.request<{ tenants: { items: { id: string }[] } }>(`{ tenants(first: 100) { items { id } } }`);
    expect(tenants.items.map((x) => x.id).sort()).toEqual([org, team, project, sibling, other].sort());
    for (const id of [org, sibling, other]) await p.client.request(`query($id: ID!) { tenant(id: $id) { id } }`, { id });
    const { keys } = await p.client.request<{ keys: { items: { id: string }[] } }>(`query($t: ID!) { keys(tenantId: $t) { items { id } } }`, { t: other });
    expect(keys.items.map((k) => k.id)).toEqual([otherKey]);
    await p.client.request(`query($id: ID!) { changeRequest(id: $id) { id } }`, { id: proposeChange.id });
    const list = await p.client.request<{ changeRequests: { items: { id: string }[] } }>(`{ changeRequests(first: 100) { items { id } } }`);
    expect(list.changeRequests.items.length).toBe(before.changeRequests.items.length + 1);
    await p.client.request(`{ auditLog(first: 1) { items { id } } }`);
  }
});

test("a tenant_admin alone still reads money in its subtree only, and a viewer alone none", async () => {
  const teamAdmin = await principalWith(t.admin, t.cp.url, "team-admin", [{ role: "tenant_admin", tenantId: team }]);
  expect(Object.values(await moneyReads(teamAdmin, { team, project }, { teamKey })).every((v) => v === "READ")).toBe(true);
  expect(Object.entries(await moneyReads(teamAdmin, { org, sibling, other }, { otherKey })).filter(([, v]) => v !== "NOT_FOUND")).toEqual([]);
  const viewer = await principalWith(t.admin, t.cp.url, "viewer", [{ role: "viewer" }]);
  expect(Object.entries(await moneyReads(viewer, { team, other }, { teamKey })).filter(([, v]) => v !== "FORBIDDEN")).toEqual([]);
});
