/**
 * A mutation request refused before any operation is chosen — an operationName naming none of the
 * document's operations, several operations and no operationName, a body Apollo refuses for its shape
 * (`"variables": "oops"`), a persisted query's wrong hash — is audited too: one refused.<field> row per
 * request, named after the first root field of the document's first mutation, with a message that
 * quotes nothing sent. Only a request that does not parse is not audited, a document with no mutation
 * adds nothing, and a mutation that ran is not also audited as refused when Apollo refuses its answer.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { addTenant } from "../testing/add-tenant.ts";
import { principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { rawGraphQL, useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
let ta: ActingPrincipal;
let teamA: string;
let teamB: string;
beforeAll(async () => {
  sql = t.openSql();
  const org = await addTenant(t.admin, "org");
  teamA = await addTenant(t.admin, "team-a", org);
  teamB = await addTenant(t.admin, "team-b", org);
  ta = await principalWith(t.admin, t.cp.url, "team-a-admin", [{ role: "tenant_admin", tenantId: teamA }]);
});

type Row = { action: string; target: string; code: string; message: string };
const rowsOf = async (actor: string): Promise<Row[]> =>
  [...(await sql<Row[]>`select action, target, after->>'code' as code, after->>'message' as message from audit_log where actor = ${actor} and action like 'refused.%' order by id`)];

const rowCount = async (actor: string): Promise<number> => (await sql`select count(*)::int as n from audit_log where actor = ${actor}`)[0]!.n;

/** Sends the body and answers the status, the first error's code, whether data is absent, and the refusal rows it added. */
async function send(body: Record<string, unknown> | Record<string, unknown>[]): Promise<{ status: number; code: string | null; data: unknown; rows: Row[] }> {
  const before = (await rowsOf(ta.id)).length;
  const r = await rawGraphQL(t.cp.url, ta.token, JSON.stringify(body));
  return { status: r.status, code: r.json.errors?.[0]?.extensions?.code ?? null, data: r.json.data ?? null, rows: (await rowsOf(ta.id)).slice(before) };
}

const grab = () => `mutation Grab { grantRole(input: { principalId: "${ta.id}", role: "tenant_admin", tenantId: "${teamB}" }) { id } }`;
const twoOps = () => `${grab()} mutation Other { revokeToken(jti: "x") { jti } }`;

test("an operationName naming no operation, or none among two mutations: one refused row after the first mutation's first field", async () => {
  const unknownName = 'Unknown operation named "…".';
  const cases: [Record<string, unknown>, string][] = [
    [{ query: twoOps(), operationName: "Nope" }, unknownName],
    [{ query: twoOps() }, "Must provide operation name if query contains multiple operations."],
    [{ query: `query Q { __typename } ${twoOps()}`, operationName: "Nope" }, unknownName],
    // The name sent is not kept: it need not be a name.
    [{ query: twoOps(), operationName: "sk-proj-LIVESECRET" }, unknownName],
  ];
  for (const [body, message] of cases) {
    expect(await send(body)).toEqual({
      status: 400,
      code: "OPERATION_RESOLUTION_FAILURE",
      data: null,
      rows: [{ action: "refused.grantRole", target: teamB, code: "OPERATION_RESOLUTION_FAILURE", message }],
    });
  }
});

test("a mutation in a body Apollo refuses for its shape, or with a persisted query's wrong hash, leaves one refused row", async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ query: grab(), variables: "sk-proj-LIVESECRET" }, "`variables` in a POST body should be provided as an object, not a recursively JSON-encoded string."],
    [{ query: grab(), variables: 5 }, "`variables` in a POST body must be an object if provided."],
    [{ query: grab(), variables: [1] }, "`variables` in a POST body must be an object if provided."],
    [{ query: grab(), extensions: "x" }, "`extensions` in a POST body should be provided as an object, not a recursively JSON-encoded string."],
    [{ query: grab(), extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } }, "provided sha does not match query"],
  ];
  for (const [body, message] of cases) {
    const r = await send(body);
    expect([r.status, r.code, r.data, r.rows]).toEqual([400, "BAD_REQUEST", null, [{ action: "refused.grantRole", target: teamB, code: "BAD_REQUEST", message }]]);
  }
  // A batch (batching is off): its first mutation. operationName not a string: the document's first mutation, here a field the API lacks.
  expect((await send([{ query: `query { __typename }` }, { query: twoOps() }])).rows.map((r) => [r.action, r.message])).toEqual([["refused.grantRole", "Operation batching disabled."]]);
  expect((await send({ query: `mutation { nope } mutation B { revokeToken(jti: "j") { jti } }`, operationName: 5 })).rows.map((r) => r.action)).toEqual(["refused.mutation"]);
});

test("queries and documents that do not parse add no refused row", async () => {
  expect((await send({ query: `query A { __typename } query B { __typename }` })).rows).toEqual([]);
  expect((await send({ query: `query A { __typename }`, variables: "oops" })).rows).toEqual([]);
  expect((await send({ query: `mutation { createKey(`, variables: "oops" })).rows).toEqual([]);
  expect((await send({ query: `mutation { createKey(`, operationName: "Nope" })).rows).toEqual([]);
  expect((await send({ variables: "oops" })).rows).toEqual([]);
});

test("a mutation that ran and whose answer Apollo then refuses for the Accept header is not also audited as refused", async () => {
  const before = (await rowsOf(ta.id)).length;
  const allBefore = await rowCount(ta.id);
  const headers = { "content-type": "application/json", accept: "text/html", authorization: `Bearer ${ta.token}` };
  const response = await fetch(new URL("/graphql", t.cp.url), { method: "POST", headers, body: JSON.stringify({ query: `mutation { createKey(input: { tenantId: "${teamA}", name: "ran" }) { secret } }` }) });
  expect(response.status).toBe(406);
  expect([(await rowsOf(ta.id)).slice(before), (await rowCount(ta.id)) - allBefore]).toEqual([[], 1]);
});
