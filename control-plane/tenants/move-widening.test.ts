/**
 * moveTenant is direct only when it widens nothing: a move after which any tenant in the moved
 * subtree has a wider effective policy than before (what it inherited from its old ancestors —
 * residency, allowed aliases, limits, budgets, budgetFailOpen, a kill switch — dropped or loosened)
 * is refused with FORBIDDEN and audited as refused.moveTenant, whoever asks. A narrowing or equal move
 * stays direct; a widening one is done through review (pin the policy with tenant.policy, move, then
 * widen with tenant.policy / tenant.enable).
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import type { AdminClient } from "../../infra/local/admin-client.ts";
import { effectiveJurisdictions } from "../../region-proxy/pipeline/residency.ts";
import { tenantAllows } from "../../region-proxy/pipeline/authorize.ts";
import { addTenant } from "../testing/add-tenant.ts";
import { errorCode, principalWith, twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { firstGraphQLError, useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let s: Seeded;
let jwtAdmin: ActingPrincipal;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
let db: postgres.Sql;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  ({ ann, ben } = await twoApprovers(t.admin, t.cp.url));
  jwtAdmin = await principalWith(t.admin, t.cp.url, "carol-admin", [{ role: "admin" }]);
  db = t.openSql();
});

const MOVE = `mutation($id: ID!, $p: ID) { moveTenant(id: $id, parentId: $p) { id parentId } }`;
const move = (by: AdminClient, id: string, p: string | null) => by.request<{ moveTenant: { parentId: string | null } }>(MOVE, { id, p });
/** A tenant.policy change proposed by ann and approved by ben; answers the status it ends in. */
const policy = async (id: string, tenantPolicy: Record<string, unknown>) => {
  const { proposeChange } = await ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
    i: { description: "policy", operations: [{ op: "tenant.policy", id, tenantPolicy }] },
  });
  return (await ben.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: proposeChange.id })).approveChange.status;
};
const parentOf = async (id: string) => (await db<{ parentId: string | null }[]>`select parent_id as "parentId" from tenants where id = ${id}`)[0]!.parentId;
const refusals = async (id: string) =>
  (await db<{ after: { code: string; message: string } }[]>`select after from audit_log where action = 'refused.moveTenant' and target = ${id} order by id`).map((r) => r.after);
async function euSnapshot(): Promise<any> {
  const r = await fetch(new URL("/internal/v1/snapshots/eu", t.cp.url), { headers: { authorization: `Bearer ${s.euToken}` } });
  return JSON.parse(Buffer.from((await r.text()).split(".")[1]!, "base64url").toString());
}

test("a tenant admin cannot move a project out from under its EU-only team: FORBIDDEN, audited, snapshot unchanged", async () => {
  const org = await addTenant(t.admin, "org");
  const euTeam = await addTenant(t.admin, "eu-team", org);
  const openTeam = await addTenant(t.admin, "open-team", org);
  const project = await addTenant(t.admin, "project", euTeam);
  const leaf = await addTenant(t.admin, "leaf", project);
  expect(await policy(euTeam, { allowedJurisdictions: ["eu"], allowedAliases: ["chat"], dailyBudgetUsd: 1 })).toBe("applied");
  const orgAdmin = await principalWith(t.admin, t.cp.url, "org-admin", [{ role: "tenant_admin", tenantId: org }]);

  const refused = await firstGraphQLError(t.cp.url, orgAdmin.token, JSON.stringify({ query: MOVE, variables: { id: project, p: openTeam } }));
  expect(refused.code).toBe("FORBIDDEN");
  expect(refused.message).toContain("allowedJurisdictions");
  expect(refused.message).toContain("tenant.policy");
  expect(await parentOf(project)).toBe(euTeam);
  expect((await refusals(project)).map((r) => r.code)).toEqual(["FORBIDDEN"]);
  const snap = await euSnapshot();
  for (const id of [project, leaf]) {
    expect(effectiveJurisdictions(snap.tenants[id], snap.tenants)).toEqual(["eu"]);
    expect(tenantAllows(snap.tenants[id], snap.tenants, "anything")).toBe(false);
  }

  // The reviewed way: pin what the project inherits on the project itself, then the move widens nothing.
  expect(await policy(project, { allowedJurisdictions: ["eu"], allowedAliases: ["chat"], dailyBudgetUsd: 1 })).toBe("applied");
  expect((await move(orgAdmin.client, project, openTeam)).moveTenant.parentId).toBe(openTeam);
  expect(effectiveJurisdictions((await euSnapshot()).tenants[leaf], (await euSnapshot()).tenants)).toEqual(["eu"]);
});

test("an admin acting with a JWT cannot drop an org's residency and budget by making a team a root", async () => {
  const org2 = await addTenant(t.admin, "org2");
  const team2 = await addTenant(t.admin, "team2", org2);
  expect(await policy(org2, { allowedJurisdictions: ["eu"], dailyBudgetUsd: 5 })).toBe("applied");
  expect(await errorCode(move(jwtAdmin.client, team2, null))).toBe("FORBIDDEN");
  // Not the bootstrap token either: tenant policy changes only through review for everyone.
  expect(await errorCode(move(t.admin, team2, null))).toBe("FORBIDDEN");
  expect(await parentOf(team2)).toBe(org2);
  const snap = await euSnapshot();
  expect(effectiveJurisdictions(snap.tenants[team2], snap.tenants)).toEqual(["eu"]);
});

test("a move cannot undo an ancestor's kill switch; kill-switching the tenant itself first makes the move direct", async () => {
  const org3 = await addTenant(t.admin, "org3");
  const team3 = await addTenant(t.admin, "team3", org3);
  await t.admin.request(`mutation($id: ID!) { killSwitch(target: { kind: "tenant", id: $id }, reason: "compromised") { affected } }`, { id: org3 });
  expect((await euSnapshot()).tenants[team3].status).toBe("disabled");
  const refused = await firstGraphQLError(t.cp.url, jwtAdmin.token, JSON.stringify({ query: MOVE, variables: { id: team3, p: null } }));
  expect(refused.code).toBe("FORBIDDEN");
  expect(refused.message).toContain("tenant.enable");
  expect((await euSnapshot()).tenants[team3].status).toBe("disabled");
  await t.admin.request(`mutation($id: ID!) { killSwitch(target: { kind: "tenant", id: $id }, reason: "moving out") { affected } }`, { id: team3 });
  expect((await move(jwtAdmin.client, team3, null)).moveTenant.parentId).toBeNull();
  expect((await euSnapshot()).tenants[team3].status).toBe("disabled");
});

test("limits, feature limits, key TTL and budgetFailOpen inherited from the old parents count too", async () => {
  const strict = await addTenant(t.admin, "strict");
  const lax = await addTenant(t.admin, "lax");
  expect(await policy(strict, { rpm: 10, keyTtlDays: 7, budgetFailOpen: false, featureLimits: [{ feature: "search", rpm: 5 }] })).toBe("applied");
  expect(await policy(lax, { budgetFailOpen: true })).toBe("applied");
  const cases: [string, Record<string, unknown>][] = [
    ["rpm", { keyTtlDays: 7, budgetFailOpen: false, featureLimits: [{ feature: "search", rpm: 5 }] }],
    ["keyTtlDays", { rpm: 10, budgetFailOpen: false, featureLimits: [{ feature: "search", rpm: 5 }] }],
    ["featureLimits.search.rpm", { rpm: 10, keyTtlDays: 7, budgetFailOpen: false }],
  ];
  for (const [field, pinned] of cases) {
    const team = await addTenant(t.admin, `team-${field}`, strict);
    expect(await policy(team, pinned)).toBe("applied");
    const r = await firstGraphQLError(t.cp.url, jwtAdmin.token, JSON.stringify({ query: MOVE, variables: { id: team, p: null } }));
    expect([field, r.code, r.message.includes(field)]).toEqual([field, "FORBIDDEN", true]);
    expect(await parentOf(team)).toBe(strict);
  }
  // budgetFailOpen: false inherited, true under the new parent.
  const closed = await addTenant(t.admin, "closed-team", strict);
  expect(await policy(closed, { rpm: 10, keyTtlDays: 7, featureLimits: [{ feature: "search", rpm: 5 }] })).toBe("applied");
  const r = await firstGraphQLError(t.cp.url, jwtAdmin.token, JSON.stringify({ query: MOVE, variables: { id: closed, p: lax } }));
  expect([r.code, r.message.includes("budgetFailOpen")]).toEqual(["FORBIDDEN", true]);
});

test("narrowing and equal moves stay direct", async () => {
  const open = await addTenant(t.admin, "open-org");
  const tight = await addTenant(t.admin, "tight-org");
  const twin = await addTenant(t.admin, "twin-org");
  expect(await policy(tight, { allowedJurisdictions: ["eu"], rpm: 10 })).toBe("applied");
  expect(await policy(twin, { allowedJurisdictions: ["eu"], rpm: 10 })).toBe("applied");
  const team = await addTenant(t.admin, "mover", open);
  const child = await addTenant(t.admin, "mover-child", team);
  // Narrowing: from an unrestricted org under the EU-only one.
  expect((await move(jwtAdmin.client, team, tight)).moveTenant.parentId).toBe(tight);
  // Equal: between two orgs with the same policy.
  expect((await move(jwtAdmin.client, team, twin)).moveTenant.parentId).toBe(twin);
  const snap = await euSnapshot();
  expect(effectiveJurisdictions(snap.tenants[child], snap.tenants)).toEqual(["eu"]);
  expect(await refusals(team)).toEqual([]);
});
