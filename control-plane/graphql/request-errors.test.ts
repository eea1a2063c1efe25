/**
 * Bad requests get a code that says so, never INTERNAL_SERVER_ERROR: times PostgreSQL cannot store
 * (year 0, years past 9999) are BAD_USER_INPUT wherever a DateTime argument appears, and the errors
 * Apollo and graphql-js raise about a request without a code (a persisted-query hash that is not the
 * query's, an unknown persisted-query version, a subscription, more than 50 bad variables) get one.
 */
import { beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { argumentRefusals, firstGraphQLError, rawGraphQL, useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let seed: Seeded;
let jwtAdmin: ActingPrincipal;
beforeAll(async () => {
  seed = await seedConfig(t.admin);
  jwtAdmin = await principalWith(t.admin, t.cp.url, "jwt-admin", [{ role: "admin" }]);
});

const post = (token: string, body: Record<string, unknown>) => firstGraphQLError(t.cp.url, token, JSON.stringify(body));
const internalErrors = () => t.logs.filter((l) => l.includes("internal error"));

test("a DateTime PostgreSQL cannot store is BAD_USER_INPUT naming the argument, in queries, mutations and nested inputs", async () => {
  const now = new Date().toISOString();
  const price = { provider: "openai", model: "q", inputUsdPerMillion: 1, outputUsdPerMillion: 1 };
  const spend = `query($t: ID!, $f: DateTime!, $to: DateTime!) { spend(tenantId: $t, from: $f, to: $to) { requests } }`;
  const propose = `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`;
  const cases: [string, string, string, Record<string, unknown>][] = [
    ["from", t.adminToken, spend, { t: seed.tenantId, f: "0000-01-01T00:00:00Z", to: now }],
    // 23:00 at UTC-5 on the last day of 9999 is in the year 10000.
    ["to", t.adminToken, spend, { t: seed.tenantId, f: "2020-01-01T00:00:00Z", to: "9999-12-31T23:00:00-05:00" }],
    ["from", t.adminToken, `query($f: DateTime) { auditLog(from: $f) { items { id } } }`, { f: "0000-06-01T00:00:00Z" }],
    ["to", t.adminToken, `query { auditLog(to: "9999-12-31T23:30:00-01:00") { items { id } } }`, {}],
    ["input.applyAt", jwtAdmin.token, propose, { i: { description: "d", applyAt: "0000-01-01T00:00:00Z", operations: [{ op: "price.set", price }] } }],
    ["applyAt", jwtAdmin.token, `mutation($a: DateTime) { proposeRollback(toVersion: 1, applyAt: $a) { id } }`, { a: "0000-01-01T00:00:00Z" }],
    ["input.expiresAt", t.adminToken, `mutation($i: CreateKeyInput!) { createKey(input: $i) { secret } }`, { i: { tenantId: seed.tenantId, name: "far", expiresAt: "9999-12-31T20:00:00-08:00" } }],
  ];
  const got = (await argumentRefusals(t.cp.url, cases)).map(([field, , code, named]) => [field, code, named]);
  expect(got).toEqual(cases.map(([field]) => [field, "BAD_USER_INPUT", true]));
  // The refused mutation is audited; the bounds themselves are fine.
  const { auditLog } = await t.admin.request<any>(`query($a: String) { auditLog(actor: $a, action: "refused.proposeChange") { items { after } } }`, { a: jwtAdmin.id });
  expect(auditLog.items.map((i: any) => i.after.code)).toEqual(["BAD_USER_INPUT"]);
  const edges = await post(t.adminToken, { query: spend, variables: { t: seed.tenantId, f: "0001-01-01T00:00:00Z", to: "9999-12-31T23:59:59.999Z" } });
  expect(edges.code).toBeNull();
  // Filters are compared in SQL and never read back, so they keep year 0001: Go's zero time and .NET's
  // DateTime.MinValue, which clients send as "from the start" (stored times start at 0100: two-digit-years.test.ts).
  const filters = [
    await post(t.adminToken, { query: `query($f: DateTime, $to: DateTime) { auditLog(from: $f, to: $to) { items { id } } }`, variables: { f: "0001-01-01T00:00:00Z", to: "0050-01-01T00:00:00Z" } }),
    await post(t.adminToken, { query: `query($t: ID!, $s: DateTime) { budgetAlerts(tenantId: $t, since: $s) { id } }`, variables: { t: seed.tenantId, s: "0001-01-01T00:00:00Z" } }),
    await post(t.adminToken, { query: spend, variables: { t: seed.tenantId, f: "0001-01-01T00:00:00Z", to: "0099-12-31T23:59:59.999Z" } }),
  ];
  expect(filters.map((f) => f.code)).toEqual([null, null, null]);
  expect(internalErrors()).toEqual([]);
  expect((await t.admin.request<any>(`{ verifyAuditChain { ok } }`)).verifyAuditChain.ok).toBe(true);
});

test("request-level errors without a code from Apollo or graphql-js get one", async () => {
  const query = `{ tenants { items { id } } }`;
  const sha = createHash("sha256").update(query).digest("hex");
  // The right hash still works (automatic persisted queries are on).
  expect((await post(t.adminToken, { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha } } })).code).toBeNull();
  expect(await post(t.adminToken, { query, extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } })).toEqual({
    status: 400,
    code: "BAD_REQUEST",
    message: "provided sha does not match query",
  });
  expect(await post(t.adminToken, { query, extensions: { persistedQuery: { version: 2, sha256Hash: sha } } })).toEqual({
    status: 400,
    code: "PERSISTED_QUERY_NOT_SUPPORTED",
    message: "Unsupported persisted query version",
  });
  expect((await post(t.adminToken, { query: `subscription { tenants { items { id } } }` })).code).toBe("BAD_REQUEST");
  // graphql-js reports 50 variable errors, then one more saying it stopped: every one is BAD_USER_INPUT.
  const { json } = await rawGraphQL(t.cp.url, t.adminToken, JSON.stringify({
    query: `mutation($i: AliasInput!) { createAlias(input: $i) { name } }`,
    variables: { i: { name: "a", deploymentIds: Array(60).fill(null) } },
  }));
  expect(json.errors).toHaveLength(51);
  expect(json.errors.at(-1).message).toStartWith("Too many errors processing variables");
  expect(new Set(json.errors.map((e: any) => e.extensions.code))).toEqual(new Set(["BAD_USER_INPUT"]));
  expect(internalErrors()).toEqual([]);
});

test("a body that reads like the body reader's own failures is judged as what it is: not JSON, not too large", async () => {
  for (const body of ["too_large", "cut_off"]) {
    expect(await firstGraphQLError(t.cp.url, t.adminToken, body)).toEqual({ status: 400, code: "BAD_REQUEST", message: "request body is not JSON" });
  }
});
