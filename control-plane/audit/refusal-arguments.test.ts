/**
 * A refusal row keeps, beside its code and message, the refused mutation's closed-set arguments — a
 * role, a kind, an operation's `op` — so a viewer trying to make itself admin can be told from one
 * granting someone `viewer`, whether the resolver refused it or GraphQL did before. Never free text (a reason, a description), ids or names, and never a value
 * that is not shaped like such a word (a secret sent as a role).
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { errorCode, principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
let viewer: ActingPrincipal;
beforeAll(async () => {
  sql = t.openSql();
  viewer = await principalWith(t.admin, t.cp.url, "viewer-args", [{ role: "viewer" }]);
});

const SECRET = "LIVESECRET0123456789abcdefABCDEF";
const newestAfter = async (field: string): Promise<Record<string, unknown>> =>
  (await sql<{ after: Record<string, unknown> }[]>`select after from audit_log where action = ${`refused.${field}`} order by id desc limit 1`)[0]!.after;

test("a refused grantRole keeps the role asked for", async () => {
  const grant = `mutation($p: ID!, $r: String!) { grantRole(input: { principalId: $p, role: $r }) { id } }`;
  expect(await errorCode(viewer.client.request(grant, { p: viewer.id, r: "admin" }))).toBe("FORBIDDEN");
  expect(await newestAfter("grantRole")).toEqual({ code: "FORBIDDEN", message: expect.any(String), arguments: { "input.role": "admin" } });
  // A secret sent as the role is not word-shaped: not kept.
  expect(await errorCode(viewer.client.request(grant, { p: viewer.id, r: `sk-proj-${SECRET}` }))).toBe("FORBIDDEN");
  expect(await newestAfter("grantRole")).toEqual({ code: "FORBIDDEN", message: expect.any(String) });
  // Refused before any resolver runs (an input field the API does not have): the same.
  expect(await errorCode(viewer.client.request(`mutation { grantRole(input: { principalId: "prn_x", role: "approver", extra: "${SECRET}" }) { id } }`))).toBe(
    "GRAPHQL_VALIDATION_FAILED",
  );
  expect(await newestAfter("grantRole")).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", arguments: { "input.role": "approver" } });
});

test("a refused kill switch keeps the target's kind, not its reason; a refused proposal its operations' op, not its description", async () => {
  expect(await errorCode(viewer.client.request(`mutation { killSwitch(target: { kind: "provider", id: "openai" }, reason: "leaked ${SECRET}") { affected } }`))).toBe("FORBIDDEN");
  expect((await newestAfter("killSwitch")).arguments).toEqual({ "target.kind": "provider" });
  const operations = [
    { op: "price.set", price: { provider: "openai", model: "m", inputUsdPerMillion: 1, outputUsdPerMillion: 1 } },
    { op: "price.delete", price: { provider: "openai", model: "n", inputUsdPerMillion: 1, outputUsdPerMillion: 1 } },
  ];
  expect(await errorCode(viewer.client.request(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "private words", operations } }))).toBe(
    "FORBIDDEN",
  );
  expect((await newestAfter("proposeChange")).arguments).toEqual({ "input.operations.0.op": "price.set", "input.operations.1.op": "price.delete" });
  expect(JSON.stringify(await sql`select after from audit_log where action like 'refused.%'`)).not.toMatch(new RegExp(`${SECRET}|private words`));
});

test("a path through a key no argument is named like (a secret, a 200,000-character word) is not kept", async () => {
  const grant = `mutation($i: RoleBindingInput!) { grantRole(input: $i) { id } }`;
  // As a literal, refused by validation; as variables, refused by coercion; neither resolver runs.
  expect(await errorCode(viewer.client.request(`mutation { grantRole(input: { principalId: "p", role: "viewer", gwk_${SECRET}: { role: "admin" } }) { id } }`))).toBe(
    "GRAPHQL_VALIDATION_FAILED",
  );
  expect((await newestAfter("grantRole")).arguments).toEqual({ "input.role": "viewer" });
  expect(await errorCode(viewer.client.request(grant, { i: { principalId: "p", role: "viewer", [`sk-proj-${SECRET}`]: { role: "admin" } } }))).toBe("BAD_USER_INPUT");
  expect((await newestAfter("grantRole")).arguments).toEqual({ "input.role": "viewer" });
  expect(await errorCode(viewer.client.request(grant, { i: { principalId: "p", role: "viewer", ["x".repeat(200_000)]: { role: "admin" } } }))).toBe("BAD_USER_INPUT");
  const [row] = await sql<{ n: number; after: Record<string, unknown> }[]>`select octet_length(after::text) as n, after from audit_log where action = 'refused.grantRole' order by id desc limit 1`;
  expect(row!.after.arguments).toEqual({ "input.role": "viewer" });
  expect(row!.n).toBeLessThan(2_000);
  expect(JSON.stringify(await sql`select after->'arguments' from audit_log where action like 'refused.%'`)).not.toContain(SECRET);
});
