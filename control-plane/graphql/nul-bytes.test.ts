/**
 * PostgreSQL refuses U+0000 in text and jsonb, so a NUL anywhere in an argument — a variable, an
 * inline literal, nested in an input, inside a cursor once decoded — is BAD_USER_INPUT naming the
 * argument, before any resolver runs; a refused mutation is still audited as refused.<field>.
 */
import { beforeAll, expect, test } from "bun:test";
import { principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { argumentRefusals, firstGraphQLError, useTestControlPlane } from "../testing/test-control-plane.ts";
import { encodeCursor } from "./page.ts";

const t = useTestControlPlane();
let jwtAdmin: ActingPrincipal;
beforeAll(async () => {
  jwtAdmin = await principalWith(t.admin, t.cp.url, "jwt-admin", [{ role: "admin" }]);
});

const send = (token: string, query: string, variables: Record<string, unknown> = {}) => firstGraphQLError(t.cp.url, token, JSON.stringify({ query, variables }));
const cursor = (key: string) => encodeCursor("tenants", key);

test("a NUL in any string argument is BAD_USER_INPUT naming it", async () => {
  const price = { provider: "openai", model: "q", inputUsdPerMillion: 1, outputUsdPerMillion: 1 };
  const cases: [string, string, string, Record<string, unknown>][] = [
    ["input.name", t.adminToken, `mutation($n: String!) { createTenant(input: { name: $n }) { id } }`, { n: "a\u0000b" }],
    ["input.description", jwtAdmin.token, `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "x\u0000", operations: [{ op: "price.set", price }] } }],
    ["input.operations[0].price.model", jwtAdmin.token, `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "x", operations: [{ op: "price.set", price: { ...price, model: "q\u0000" } }] } }],
    ["id", t.adminToken, `query($id: ID!) { changeRequest(id: $id) { id } }`, { id: "chg_\u0000" }],
    ["id", t.adminToken, `query { tenant(id: "t\\u0000") { id } }`, {}],
    ["after", t.adminToken, `query($a: String) { tenants(after: $a) { items { id } } }`, { a: cursor("\u0000") }],
    ["actor", t.adminToken, `query($a: String) { auditLog(actor: $a) { items { id } } }`, { a: "\u0000" }],
  ];
  expect(await argumentRefusals(t.cp.url, cases)).toEqual(cases.map(([field]) => [field, 200, "BAD_USER_INPUT", true]));
});

test("a mutation refused for a NUL is audited like any other refusal, and the chain still verifies", async () => {
  const r = await send(jwtAdmin.token, `mutation($n: String!) { createTenant(input: { name: $n }) { id } }`, { n: "evil\u0000name" });
  expect(r.code).toBe("BAD_USER_INPUT");
  const { auditLog } = await t.admin.request<{ auditLog: { items: { action: string; target: string; after: { code: string } }[] } }>(
    `query($a: String) { auditLog(actor: $a, action: "refused.createTenant") { items { action target after } } }`,
    { a: jwtAdmin.id },
  );
  expect(auditLog.items.map((i) => [i.action, i.after.code])).toEqual([["refused.createTenant", "BAD_USER_INPUT"]]);
  expect(auditLog.items[0]!.target).not.toContain("\u0000");
  expect((await t.admin.request<{ verifyAuditChain: { ok: boolean } }>(`{ verifyAuditChain { ok } }`)).verifyAuditChain.ok).toBe(true);
  expect(t.logs.filter((l) => l.includes("could not audit"))).toEqual([]);
});
