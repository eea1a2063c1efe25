/**
 * Done-when 3: a tenant admin of team A tries every query and mutation on team B and gets nothing:
 * B's objects answer NOT_FOUND exactly like missing ones, global config is FORBIDDEN, B is unchanged,
 * and the refused mutations are in the audit log (the refused reads as one row per operation, per
 * principal one a minute and a summary of the rest).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { buildControlPlaneSchema } from "../../control-plane/graphql/build-schema.ts";
import { errorCode, principalWith, type ActingPrincipal } from "../../control-plane/testing/principals.ts";
import { seedConfig, type Seeded } from "../../control-plane/testing/seed.ts";
import { startTestControlPlane, type TestControlPlane } from "../../control-plane/testing/test-control-plane.ts";
import { addTenant } from "../../control-plane/testing/add-tenant.ts";
import { flushHeldRefusedReadsNow } from "../../control-plane/audit/refused-read-throttle.ts";

let t: TestControlPlane;
let seeded: Seeded;
let adminA: ActingPrincipal;
const ids = {} as Record<"org" | "teamA" | "teamB" | "projA" | "projB" | "keyA" | "keyB" | "crB" | "adminB", string>;

const createKey = async (tenantId: string) =>
  (await t.admin.request<{ createKey: { key: { id: string } } }>(`mutation($i: CreateKeyInput!) { createKey(input: $i) { key { id } } }`, { i: { tenantId, name: "k" } })).createKey.key.id;

beforeAll(async () => {
  t = await startTestControlPlane();
  seeded = await seedConfig(t.admin);
  ids.org = await addTenant(t.admin, "org");
  ids.teamA = await addTenant(t.admin, "team-a", ids.org);
  ids.teamB = await addTenant(t.admin, "team-b", ids.org);
  ids.projA = await addTenant(t.admin, "proj-a", ids.teamA);
  ids.projB = await addTenant(t.admin, "proj-b", ids.teamB);
  ids.keyA = await createKey(ids.projA);
  ids.keyB = await createKey(ids.projB);
  adminA = await principalWith(t.admin, t.cp.url, "team-a-admin", [{ role: "tenant_admin", tenantId: ids.teamA }]);
  const b = await principalWith(t.admin, t.cp.url, "team-b-admin", [{ role: "tenant_admin", tenantId: ids.teamB }]);
  ids.adminB = b.id;
  ids.crB = (
    await b.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
      i: { description: "b limits", operations: [{ op: "tenant.policy", id: ids.projB, tenantPolicy: { rpm: 10 } }] },
    })
  ).proposeChange.id;
});
afterAll(async () => {
  await t.close();
});

test("team A's admin works inside its subtree", async () => {
  const { tenants } = await adminA.client.request<{ tenants: { items: { id: string }[] } }>(`{ tenants { items { id } } }`);
  expect(tenants.items.map((x) => x.id).sort()).toEqual([ids.teamA, ids.projA].sort());
  const { keys } = await adminA.client.request<{ keys: { items: { id: string }[] } }>(`query($t: ID!) { keys(tenantId: $t) { items { id } } }`, { t: ids.projA });
  expect(keys.items.map((k) => k.id)).toEqual([ids.keyA]);
  const created = await adminA.client.request<{ createTenant: { id: string; parentId: string; kind: string } }>(
    `mutation($i: CreateTenantInput!) { createTenant(input: $i) { id parentId kind } }`,
    { i: { name: "proj-a2", parentId: ids.teamA } },
  );
  expect(created.createTenant).toMatchObject({ parentId: ids.teamA, kind: "project" });
  const { me } = await adminA.client.request<{ me: { id: string; roles: string[]; tenantAdminOf: string[] } }>(`{ me { id roles tenantAdminOf } }`);
  expect(me).toEqual({ id: adminA.id, roles: [], tenantAdminOf: [ids.teamA] });
});

test("every query and mutation aimed at team B is refused, and B is unchanged", async () => {
  const a = adminA.client;
  const q = (query: string, variables?: Record<string, unknown>) => errorCode(a.request(query, variables));
  const tried = new Map<string, string | null>();
  const attempt = async (field: string, query: string, variables?: Record<string, unknown>) => {
    const code = await q(query, variables);
    tried.set(`${field}:${tried.size}`, code);
    return code;
  };
  const range = { from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z" };

  // Queries on B's objects: NOT_FOUND, the same answer as for an id that does not exist.
  expect(await attempt("tenant", `query($id: ID!) { tenant(id: $id) { id } }`, { id: ids.teamB })).toBe("NOT_FOUND");
  expect(await attempt("tenant", `query($id: ID!) { tenant(id: $id) { id } }`, { id: ids.projB })).toBe("NOT_FOUND");
  expect(await q(`query($id: ID!) { tenant(id: $id) { id } }`, { id: "ten_doesnotexist" })).toBe("NOT_FOUND");
  expect(await attempt("keys", `query($t: ID!) { keys(tenantId: $t) { items { id } } }`, { t: ids.projB })).toBe("NOT_FOUND");
  expect(await attempt("spend", `query($t: ID!, $f: DateTime!, $to: DateTime!) { spend(tenantId: $t, from: $f, to: $to) { requests } }`, { t: ids.projB, f: range.from, to: range.to })).toBe("NOT_FOUND");
  expect(await attempt("budgetAlerts", `query($t: ID!) { budgetAlerts(tenantId: $t, first: 10) { id } }`, { t: ids.projB })).toBe("NOT_FOUND");
  expect(await attempt("changeRequest", `query($id: ID!) { changeRequest(id: $id) { id } }`, { id: ids.crB })).toBe("NOT_FOUND");
  // Lists never show B.
  const listed = await a.request<any>(`query($p: ID!) { tenants(parentId: $p) { items { id } } changeRequests { items { id } } }`, { p: ids.teamB });
  expect(listed.tenants.items).toEqual([]);
  expect(listed.changeRequests.items.map((c: { id: string }) => c.id)).not.toContain(ids.crB);
  tried.set("tenants", null).set("changeRequests", null).set("me", null);
  // Global configuration and other principals are not a tenant admin's to read.
  for (const [field, query] of [
    ["deployments", `{ deployments { items { id } } }`],
    ["aliases", `{ aliases { items { name } } }`],
    ["prices", `{ prices { items { model } } }`],
    ["regions", `{ regions { items { name } } }`],
    ["configVersion", `{ configVersion }`],
    ["auditLog", `{ auditLog { items { id } } }`],
    ["verifyAuditChain", `{ verifyAuditChain { ok } }`],
    ["principals", `{ principals { items { id } } }`],
  ] as const) {
    expect([field, await attempt(field, query)]).toEqual([field, "FORBIDDEN"]);
  }

  // Mutations on B's objects: NOT_FOUND.
  const m = (field: string, query: string, variables: Record<string, unknown>) => attempt(field, `mutation${query}`, variables);
  expect(await m("createTenant", `($i: CreateTenantInput!) { createTenant(input: $i) { id } }`, { i: { name: "sneaky", parentId: ids.teamB } })).toBe("NOT_FOUND");
  expect(await m("moveTenant", `($id: ID!, $p: ID) { moveTenant(id: $id, parentId: $p) { id } }`, { id: ids.projB, p: ids.teamA })).toBe("NOT_FOUND");
  expect(await m("moveTenant", `($id: ID!, $p: ID) { moveTenant(id: $id, parentId: $p) { id } }`, { id: ids.projA, p: ids.teamB })).toBe("NOT_FOUND");
  expect(await m("createKey", `($i: CreateKeyInput!) { createKey(input: $i) { secret } }`, { i: { tenantId: ids.projB, name: "x" } })).toBe("NOT_FOUND");
  expect(await m("rotateKey", `($i: RotateKeyInput!) { rotateKey(input: $i) { secret } }`, { i: { id: ids.keyB } })).toBe("NOT_FOUND");
  expect(await m("revokeKey", `($id: ID!) { revokeKey(id: $id) { id } }`, { id: ids.keyB })).toBe("NOT_FOUND");
  expect(await m("proposeChange", `($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "x", operations: [{ op: "tenant.policy", id: ids.projB, tenantPolicy: { rpm: 1 } }] } })).toBe("NOT_FOUND");
  expect(await m("withdrawChange", `($id: ID!) { withdrawChange(id: $id) { id } }`, { id: ids.crB })).toBe("NOT_FOUND");
  expect(await m("killSwitch", `($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "x") { affected } }`, { t: { kind: "key", id: ids.keyB } })).toBe("NOT_FOUND");
  expect(await m("killSwitch", `($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "x") { affected } }`, { t: { kind: "tenant", id: ids.teamB } })).toBe("NOT_FOUND");
  // Global policy and governance: FORBIDDEN.
  for (const [field, query, variables] of [
    ["proposeChange", `($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "x", operations: [{ op: "alias.delete", id: "chat" }] } }],
    ["proposeRollback", `($v: Int!) { proposeRollback(toVersion: $v) { id } }`, { v: 1 }],
    ["approveChange", `($id: ID!) { approveChange(id: $id) { id } }`, { id: ids.crB }],
    ["rejectChange", `($id: ID!) { rejectChange(id: $id) { id } }`, { id: ids.crB }],
    ["killSwitch", `($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "x") { affected } }`, { t: { kind: "deployment", id: seeded.euDeploymentId } }],
    ["createDeployment", `($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, { i: { provider: "openai", baseUrl: "https://x.example", model: "m", region: "eu", credentialRef: "env:K" } }],
    ["createAlias", `($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: "mine", deploymentIds: [seeded.euDeploymentId] } }],
    ["updateAlias", `($i: AliasInput!) { updateAlias(input: $i) { name } }`, { i: { name: "chat", deploymentIds: [seeded.euDeploymentId] } }],
    ["setPrice", `($i: SetPriceInput!) { setPrice(input: $i) { model } }`, { i: { provider: "openai", model: "m", inputUsdPerMillion: 0, outputUsdPerMillion: 0 } }],
    ["createRegion", `{ createRegion(input: { name: "mars" }) { token } }`, {}],
    ["updateRegion", `{ updateRegion(input: { name: "eu", publicUrl: "https://evil.example" }) { name } }`, {}],
    ["rotateRegionToken", `{ rotateRegionToken(name: "eu", graceMinutes: 0) { token } }`, {}],
    ["createPrincipal", `{ createPrincipal(input: { name: "evil", kind: "person" }) { id } }`, {}],
    ["grantRole", `($i: RoleBindingInput!) { grantRole(input: $i) { id } }`, { i: { principalId: adminA.id, role: "tenant_admin", tenantId: ids.teamB } }],
    ["revokeRole", `($i: RoleBindingInput!) { revokeRole(input: $i) { id } }`, { i: { principalId: adminA.id, role: "tenant_admin", tenantId: ids.teamA } }],
    // A person may renew its own token (auth/who-may-issue.ts); a token for anyone else is an admin's to issue.
    ["issueToken", `($i: IssueTokenInput!) { issueToken(input: $i) { token } }`, { i: { principalId: ids.adminB, ttlSeconds: 60 } }],
    ["revokeToken", `($j: ID!) { revokeToken(jti: $j) { jti } }`, { j: adminA.jti }],
  ] as const) {
    expect([field, await m(field, query, variables)]).toEqual([field, "FORBIDDEN"]);
  }

  // Root fields added later whose arguments are all ids are tried generically with B's ids.
  const schema = await buildControlPlaneSchema();
  const triedFields = new Set([...tried.keys()].map((k) => k.split(":")[0]));
  const idFor: Record<string, string> = { tenantId: ids.projB, keyId: ids.keyB, id: ids.projB };
  for (const [kind, type] of [["query", schema.getQueryType()!], ["mutation", schema.getMutationType()!]] as const) {
    for (const field of Object.values(type.getFields())) {
      if (triedFields.has(field.name) || !field.args.every((arg) => arg.name in idFor)) continue;
      const args = field.args.map((arg) => `${arg.name}: "${idFor[arg.name]}"`).join(", ");
      const code = await attempt(field.name, `${kind} { ${field.name}${args ? `(${args})` : ""} { __typename } }`);
      expect([field.name, code === "NOT_FOUND" || code === "FORBIDDEN"]).toEqual([field.name, true]);
    }
  }
  // Every root field of the schema was tried.
  const all = [...Object.keys(schema.getQueryType()!.getFields()), ...Object.keys(schema.getMutationType()!.getFields())].sort();
  expect([...new Set([...tried.keys()].map((k) => k.split(":")[0]))].sort()).toEqual(all);

  // B is untouched.
  const b = await t.admin.request<any>(
    `query($b: ID!, $pb: ID!) { tenant(id: $b) { status parentId } keys(tenantId: $pb) { items { id status } } changeRequest(id: "${ids.crB}") { status } }`,
    { b: ids.teamB, pb: ids.projB },
  );
  expect(b.tenant).toEqual({ status: "active", parentId: ids.org });
  expect(b.keys.items).toEqual([{ id: ids.keyB, status: "active" }]);
  expect(b.changeRequest.status).toBe("pending");
  const { tenant: projB } = await t.admin.request<any>(`query($id: ID!) { tenant(id: $id) { parentId } }`, { id: ids.projB });
  expect(projB.parentId).toBe(ids.teamB);

  // The refused mutations are audited, attributed to team A's admin; the refused reads held back are
  // written as their summary row would be at the end of the minute.
  await flushHeldRefusedReadsNow();
  const { auditLog } = await t.admin.request<{ auditLog: { items: { action: string; actor: string; after: any }[] } }>(
    `query($a: String!) { auditLog(first: 100, actor: $a, action: "refused.") { items { action actor after } } }`,
    { a: adminA.id },
  );
  const refused = auditLog.items;
  expect(refused.every((e) => e.actor === adminA.id && e.action.startsWith("refused."))).toBe(true);
  const mutationFields = new Set(Object.keys(schema.getMutationType()!.getFields()));
  // Every refused mutation above is in the log, one row each; the refused reads as the first
  // operation's row and one summary row counting the rest (audit/refused-read-throttle.ts).
  const attemptedMutations = [...tried.entries()].filter(([k, code]) => code !== null && mutationFields.has(k.split(":")[0]!)).length;
  const attemptedQueries = [...tried.entries()].filter(([k, code]) => code !== null && !mutationFields.has(k.split(":")[0]!)).length;
  expect(attemptedMutations).toBeGreaterThanOrEqual(25);
  expect(attemptedQueries).toBeGreaterThanOrEqual(13);
  expect(refused.filter((e) => mutationFields.has(e.action.slice("refused.".length))).length).toBe(attemptedMutations);
  const reads = refused.filter((e) => !mutationFields.has(e.action.slice("refused.".length)));
  // (The log answers newest first.)
  expect(reads.map((e) => e.action)).toEqual(["refused.reads", "refused.tenant"]);
  // Every refused read attempted (plus the probe of a missing tenant id) is accounted for.
  expect(reads[1]!.after.refused.length + reads[0]!.after.suppressed.count).toBe(attemptedQueries + 1);
  expect(new Set(refused.map((e) => e.action))).toContain("refused.grantRole");
}, 30_000);
