/**
 * A mutation refused before any resolver runs — GraphQL validation, variable coercion, the query
 * limits — is audited as refused.<field> like one refused by its resolver: one row per operation,
 * for authenticated callers only (a request without a valid token never reaches GraphQL).
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { firstGraphQLError, useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
let adm: ActingPrincipal;
let tenantId: string;
beforeAll(async () => {
  sql = t.openSql();
  adm = await principalWith(t.admin, t.cp.url, "early", [{ role: "admin" }]);
  tenantId = (await t.admin.request<{ createTenant: { id: string } }>(`mutation { createTenant(input: { name: "early" }) { id } }`)).createTenant.id;
});

type Row = { action: string; target: string; code: string };
const rowsOf = async (actor: string): Promise<Row[]> =>
  [...(await sql<Row[]>`select action, target, after->>'code' as code from audit_log where actor = ${actor} and action like 'refused.%' order by id`)];

/** Sends the request and answers the code it failed with and the refusal rows it added. */
async function refusal(token: string | null, query: string, variables: Record<string, unknown> = {}): Promise<{ code: string | null; rows: Row[] }> {
  const before = (await rowsOf(adm.id)).length;
  const { code } = await firstGraphQLError(t.cp.url, token, JSON.stringify({ query, variables }));
  return { code, rows: (await rowsOf(adm.id)).slice(before) };
}

const createKey = `mutation($i: CreateKeyInput!) { createKey(input: $i) { secret } }`;

test("coercion and validation refusals of a mutation leave one refused.<field> row each", async () => {
  expect(await refusal(adm.token, createKey, { i: { tenantId, name: "k", rpm: 99999999999 } })).toEqual({
    code: "BAD_USER_INPUT",
    rows: [{ action: "refused.createKey", target: tenantId, code: "BAD_USER_INPUT" }],
  });
  expect(await refusal(adm.token, createKey, { i: { tenantId, name: 5 } })).toEqual({
    code: "BAD_USER_INPUT",
    rows: [{ action: "refused.createKey", target: tenantId, code: "BAD_USER_INPUT" }],
  });
  expect(await refusal(adm.token, `mutation { issueToken(input: { principalId: "${adm.id}", ttlSeconds: 99999999999 }) { jti } }`)).toEqual({
    code: "GRAPHQL_VALIDATION_FAILED",
    rows: [{ action: "refused.issueToken", target: adm.id, code: "GRAPHQL_VALIDATION_FAILED" }],
  });
  // Two root fields, both invalid: one row, named after the first.
  const two = await refusal(adm.token, `mutation { a: revokeToken(jti: 5) { jti } b: createTenant(input: {}) { id } }`);
  expect(two.code).toBe("GRAPHQL_VALIDATION_FAILED");
  expect(two.rows.map((r) => r.action)).toEqual(["refused.revokeToken"]);
  expect(await refusal(adm.token, `mutation { nope }`)).toEqual({ code: "GRAPHQL_VALIDATION_FAILED", rows: [{ action: "refused.mutation", target: "", code: "GRAPHQL_VALIDATION_FAILED" }] });
  // Refused by the query limits.
  const aliased = Array.from({ length: 31 }, (_, i) => `r${i}: revokeToken(jti: "jti_${i}") { jti }`).join(" ");
  expect((await refusal(adm.token, `mutation { ${aliased} }`)).rows).toEqual([{ action: "refused.revokeToken", target: "jti_0", code: "QUERY_TOO_COMPLEX" }]);
});

test("a refusal in the resolver is still audited once; queries, successes, garbage and unauthenticated calls add nothing", async () => {
  expect(await refusal(adm.token, createKey, { i: { tenantId, name: " " } })).toEqual({
    code: "BAD_USER_INPUT",
    rows: [{ action: "refused.createKey", target: tenantId, code: "BAD_USER_INPUT" }],
  });
  expect((await refusal(adm.token, createKey, { i: { tenantId, name: "fine" } })).rows).toEqual([]);
  expect(await refusal(adm.token, `query { keys(tenantId: true) { items { id } } }`)).toEqual({ code: "GRAPHQL_VALIDATION_FAILED", rows: [] });
  expect(await refusal(adm.token, `mutation { createKey(`)).toEqual({ code: "GRAPHQL_PARSE_FAILED", rows: [] });
  const before = (await sql`select count(*)::int as n from audit_log`)[0]!.n;
  for (const token of [null, "admtok_not_a_token"]) {
    expect((await refusal(token, createKey, { i: { tenantId, name: "k", rpm: 99999999999 } })).code).toBe("UNAUTHENTICATED");
  }
  expect((await sql`select count(*)::int as n from audit_log`)[0]!.n).toBe(before);
});
