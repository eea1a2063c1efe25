/** The tenant tree: depth at most 4, no cycles, children narrow (never widen) inherited policy; the snapshot carries it. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { parseSnapshot } from "../../shared/snapshot/schema.ts";
import { AdminApiError } from "../../infra/local/admin-client.ts";
import { errorCode, principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig } from "../testing/seed.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";
import { addTenant } from "../testing/add-tenant.ts";

let t: TestControlPlane;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
const ids = {} as Record<"org" | "team" | "project" | "leaf" | "other", string>;

const move = (id: string, parentId: string | null) => t.admin.request(`mutation($id: ID!, $p: ID) { moveTenant(id: $id, parentId: $p) { id parentId } }`, { id, p: parentId });
const proposePolicy = async (id: string, tenantPolicy: Record<string, unknown>) =>
  (await ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
    i: { description: "policy", operations: [{ op: "tenant.policy", id, tenantPolicy }] },
  })).proposeChange.id;
const approve = (id: string) => ben.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id });
const refusal = async (request: Promise<unknown>) => {
  const error = await request.then(() => null, (e: unknown) => e);
  if (!(error instanceof AdminApiError)) throw new Error(`expected an AdminApiError, got ${String(error)}`);
  return { code: error.code, message: error.message };
};

beforeAll(async () => {
  t = await startTestControlPlane();
  await seedConfig(t.admin);
  ann = await principalWith(t.admin, t.cp.url, "ann", [{ role: "approver" }]);
  ben = await principalWith(t.admin, t.cp.url, "ben", [{ role: "approver" }]);
  ids.org = await addTenant(t.admin, "org");
  ids.team = await addTenant(t.admin, "team", ids.org);
  ids.project = await addTenant(t.admin, "project", ids.team);
  ids.leaf = await addTenant(t.admin, "leaf", ids.project);
  ids.other = await addTenant(t.admin, "other");
});
afterAll(async () => {
  await t.close();
});

test("kinds default down the tree; a fifth level, a cycle and an over-deep move are refused", async () => {
  const { tenants } = await t.admin.request<any>(`query($p: ID!) { tenants(parentId: $p) { items { id kind parentId } } }`, { p: ids.org });
  expect(tenants.items).toEqual([{ id: ids.team, kind: "team", parentId: ids.org }]);
  expect(await refusal(t.admin.request(`mutation($p: ID!) { createTenant(input: { name: "too-deep", parentId: $p }) { id } }`, { p: ids.leaf }))).toEqual({
    code: "BAD_USER_INPUT",
    message: expect.stringContaining("at most 4"),
  });
  expect(await refusal(move(ids.org, ids.project))).toEqual({ code: "BAD_USER_INPUT", message: expect.stringContaining("cycle") });
  expect(await refusal(move(ids.team, ids.team))).toEqual({ code: "BAD_USER_INPUT", message: expect.stringContaining("cycle") });
  // other (height 0) under leaf (depth 4) would be level 5.
  expect((await refusal(move(ids.other, ids.leaf))).code).toBe("BAD_USER_INPUT");
  expect(await errorCode(move(ids.other, "ten_missing"))).toBe("NOT_FOUND");
  expect(await errorCode(t.admin.request(`mutation { createTenant(input: { name: "x", kind: "galaxy" }) { id } }`))).toBe("BAD_USER_INPUT");
});

test("a child narrows its ancestors' policy and never widens it; refusals name the field and the ancestor's value", async () => {
  expect((await approve(await proposePolicy(ids.org, { rpm: 100, dailyBudgetUsd: 50, allowedJurisdictions: ["eu"], allowedAliases: ["chat"], timeZone: "Europe/Berlin", keyTtlDays: 7 }))).approveChange.status).toBe("applied");
  const wider = await refusal(proposePolicy(ids.team, { rpm: 200 }));
  expect(wider.code).toBe("BAD_USER_INPUT");
  expect(wider.message).toContain("rpm");
  expect(wider.message).toContain("100");
  expect(wider.message).toContain(ids.org);
  const widerList = await refusal(proposePolicy(ids.project, { allowedJurisdictions: ["eu", "us"] }));
  expect(widerList.message).toContain("allowedJurisdictions");
  expect(widerList.message).toContain("[eu]");
  expect((await refusal(proposePolicy(ids.team, { dailyBudgetUsd: 51 }))).message).toContain("dailyBudgetUsd");
  expect((await refusal(proposePolicy(ids.team, { timeZone: "Mars/Olympus" }))).code).toBe("BAD_USER_INPUT");
  expect((await approve(await proposePolicy(ids.team, { rpm: 50, allowedJurisdictions: ["eu"] }))).approveChange.status).toBe("applied");
  // The leaf is checked against every ancestor, not just its parent.
  expect((await refusal(proposePolicy(ids.leaf, { rpm: 60 }))).message).toContain(ids.team);

  // Approval is re-checked against the ancestors as they are when applying.
  const pending = await proposePolicy(ids.project, { rpm: 40 });
  expect((await approve(await proposePolicy(ids.team, { rpm: 30 }))).approveChange.status).toBe("applied");
  expect((await refusal(approve(pending))).message).toContain("rpm");
  // Moving a tenant under a narrower parent is refused the same way.
  expect((await approve(await proposePolicy(ids.other, { rpm: 500 }))).approveChange.status).toBe("applied");
  expect((await refusal(move(ids.other, ids.team))).message).toContain("rpm");
});

test("keys inherit the TTL and aliases; the snapshot carries the tree and its policy", async () => {
  const { createKey } = await t.admin.request<any>(`mutation($t: ID!) { createKey(input: { tenantId: $t, name: "k" }) { key { expiresAt } } }`, { t: ids.project });
  const days = (Date.parse(createKey.key.expiresAt) - Date.now()) / 86_400_000;
  expect(days).toBeGreaterThan(6.9);
  expect(days).toBeLessThanOrEqual(7);
  const tooLong = new Date(Date.now() + 30 * 86_400_000).toISOString();
  expect((await refusal(t.admin.request(`mutation($t: ID!, $e: DateTime) { createKey(input: { tenantId: $t, name: "k", expiresAt: $e }) { secret } }`, { t: ids.project, e: tooLong }))).message).toContain("7 days");
  expect((await refusal(t.admin.request(`mutation($t: ID!) { createKey(input: { tenantId: $t, name: "k", allowedAliases: ["other-alias"] }) { secret } }`, { t: ids.project }))).message).toContain("allowedAliases");

  // Per-key limits narrow the tenant's (team rpm is 30 by now).
  expect((await refusal(t.admin.request(`mutation($t: ID!) { createKey(input: { tenantId: $t, name: "k", rpm: 31 }) { secret } }`, { t: ids.project }))).message).toContain("rpm");
  const limited = await t.admin.request<any>(`mutation($t: ID!) { createKey(input: { tenantId: $t, name: "limited", rpm: 5, tpm: 1000, dailyBudgetUsd: 2.5 }) { key { id rpm tpm dailyBudgetUsd } } }`, { t: ids.project });
  expect(limited.createKey.key).toMatchObject({ rpm: 5, tpm: 1000, dailyBudgetUsd: 2.5 });
  // Fail-open and per-feature limits follow the same narrowing.
  expect((await approve(await proposePolicy(ids.org, { budgetFailOpen: false, featureLimits: [{ feature: "search", rpm: 20 }] }))).approveChange.status).toBe("applied");
  expect((await refusal(proposePolicy(ids.team, { budgetFailOpen: true }))).message).toContain("budgetFailOpen");
  expect((await refusal(proposePolicy(ids.team, { featureLimits: [{ feature: "search", rpm: 21 }] }))).message).toContain("featureLimits.search.rpm");
  expect((await refusal(proposePolicy(ids.team, { featureLimits: [{ feature: "bad feature!", rpm: 1 }] }))).code).toBe("BAD_USER_INPUT");
  expect((await approve(await proposePolicy(ids.team, { featureLimits: [{ feature: "search", rpm: 10, tpm: 500 }, { feature: "chat", tpm: 100 }] }))).approveChange.status).toBe("applied");
  const { tenant: team } = await t.admin.request<any>(`query($id: ID!) { tenant(id: $id) { featureLimits { feature rpm tpm } budgetFailOpen } }`, { id: ids.team });
  expect(team).toEqual({ featureLimits: [{ feature: "chat", rpm: null, tpm: 100 }, { feature: "search", rpm: 10, tpm: 500 }], budgetFailOpen: null });

  const sql = postgres(t.db.url, { max: 1, onnotice: () => {} });
  try {
    const [snap] = await sql`select jws from snapshots where region = 'eu' order by version desc limit 1`;
    const payload = JSON.parse(Buffer.from(String(snap!.jws).split(".")[1]!, "base64url").toString("utf8"));
    expect(parseSnapshot(payload).ok).toBe(true);
    expect(payload.tenants[ids.org]).toMatchObject({
      kind: "organization",
      parentId: null,
      limits: { rpm: 100, tpm: null },
      budgets: { dailyMicros: 50_000_000, monthlyMicros: null },
      timeZone: "Europe/Berlin",
      allowedJurisdictions: ["eu"],
      allowedAliases: ["chat"],
    });
    expect(payload.tenants[ids.team]).toMatchObject({ kind: "team", parentId: ids.org, limits: { rpm: 30 }, allowedJurisdictions: ["eu"] });
    expect(payload.tenants[ids.team].featureLimits).toEqual({ chat: { rpm: null, tpm: 100 }, search: { rpm: 10, tpm: 500 } });
    expect(payload.tenants[ids.org].budgetFailOpen).toBe(false);
    const keyEntry = Object.values(payload.keys).find((k: any) => k.id === limited.createKey.key.id) as any;
    expect(keyEntry).toMatchObject({ limits: { rpm: 5, tpm: 1000 }, budgets: { dailyMicros: 2_500_000, monthlyMicros: null } });
    expect(payload.tenants[ids.leaf]).toMatchObject({ kind: "project", parentId: ids.project });
  } finally {
    await sql.end();
  }
});

test("an empty parentId is BAD_USER_INPUT, not a root tenant written with parent '' (a foreign key violation); audited", async () => {
  const before = (await t.admin.request<any>(`{ tenants(first: 100) { items { id } } }`)).tenants.items.length;
  for (const p of ["", " "]) {
    expect(await refusal(t.admin.request(`mutation($p: ID) { createTenant(input: { name: "empty-parent", parentId: $p }) { id } }`, { p }))).toEqual({
      code: "BAD_USER_INPUT",
      message: expect.stringMatching(/^parentId: /),
    });
    expect(await refusal(move(ids.other, p))).toEqual({ code: "BAD_USER_INPUT", message: expect.stringMatching(/^parentId: /) });
  }
  expect((await t.admin.request<any>(`{ tenants(first: 100) { items { id } } }`)).tenants.items.length).toBe(before);
  expect((await t.admin.request<any>(`query($id: ID!) { tenant(id: $id) { parentId } }`, { id: ids.other })).tenant.parentId).toBeNull();
  const { auditLog } = await t.admin.request<any>(`{ auditLog(action: "refused.moveTenant") { items { target after } } }`);
  expect(auditLog.items.filter((i: any) => i.target === ids.other && i.after.message.includes("must be a tenant id")).map((i: any) => i.after.code)).toEqual(["BAD_USER_INPUT", "BAD_USER_INPUT"]);
  expect(t.logs.filter((l) => l.includes("internal error"))).toEqual([]);
});
