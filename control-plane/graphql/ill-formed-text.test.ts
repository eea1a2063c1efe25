/**
 * Strings that are not well-formed UTF-16 (a lone surrogate) are BAD_USER_INPUT naming the argument,
 * before the access check, and audited when a mutation is refused; truncated audit targets are cut
 * between code points. Either used to break the audit chain for good: the row's hash covered the JS
 * string but PostgreSQL stored U+FFFD (or refused the jsonb `\ud800` escape outright).
 */
import { beforeAll, expect, test } from "bun:test";
import { principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { argumentRefusals, firstGraphQLError, useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let seed: Seeded;
let viewer: ActingPrincipal;
let jwtAdmin: ActingPrincipal;
beforeAll(async () => {
  seed = await seedConfig(t.admin);
  viewer = await principalWith(t.admin, t.cp.url, "viewer", [{ role: "viewer" }]);
  jwtAdmin = await principalWith(t.admin, t.cp.url, "jwt-admin", [{ role: "admin" }]);
});

const send = (token: string, query: string, variables: Record<string, unknown> = {}) => firstGraphQLError(t.cp.url, token, JSON.stringify({ query, variables }));
const verify = async () => (await t.admin.request<{ verifyAuditChain: { ok: boolean; brokenAt: number | null } }>(`{ verifyAuditChain { ok brokenAt } }`)).verifyAuditChain;
const refusals = async (actor: string, action: string) =>
  (
    await t.admin.request<{ auditLog: { items: { target: string; after: { code: string } }[] } }>(
      `query($a: String, $x: String) { auditLog(actor: $a, action: $x) { items { target after } } }`,
      { a: actor, x: action },
    )
  ).auditLog.items;

test("a lone surrogate in any string argument is BAD_USER_INPUT naming it, even from a caller who may not call the field", async () => {
  const price = { provider: "openai", model: "q", inputUsdPerMillion: 1, outputUsdPerMillion: 1 };
  const proposal = await t.admin.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
    i: { description: "to reject", operations: [{ op: "price.set", price }] },
  });
  const cases: [string, string, string, Record<string, unknown>][] = [
    ["id", viewer.token, `mutation($id: ID!) { revokeKey(id: $id) { id } }`, { id: "\ud800" }],
    ["id", t.adminToken, `mutation($id: ID!) { revokeKey(id: $id) { id } }`, { id: `key_\udc00` }],
    ["input.name", t.adminToken, `mutation($n: String!) { createTenant(input: { name: $n }) { id } }`, { n: "x\ud800" }],
    ["input.description", jwtAdmin.token, `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "d\ud800", operations: [{ op: "price.set", price }] } }],
    ["input.operations[0].price.model", jwtAdmin.token, `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "d", operations: [{ op: "price.set", price: { ...price, model: "\udfff" } }] } }],
    ["reason", t.adminToken, `mutation($id: ID!, $r: String) { rejectChange(id: $id, reason: $r) { id } }`, { id: proposal.proposeChange.id, r: "no\ud83d" }],
    ["reason", t.adminToken, `mutation($r: String!) { killSwitch(target: { kind: "provider", id: "openai" }, reason: $r) { affected } }`, { r: "r\ud800" }],
    ["target", t.adminToken, `query($x: String) { auditLog(target: $x) { items { id } } }`, { x: "\ud800" }],
  ];
  expect(await argumentRefusals(t.cp.url, cases)).toEqual(cases.map(([field]) => [field, 200, "BAD_USER_INPUT", true]));
  // Inline, graphql-js refuses a lone surrogate (escaped or not) as a parse error, coded too.
  expect((await send(t.adminToken, `query { tenant(id: "t\ud800") { id } }`)).code).toBe("GRAPHQL_PARSE_FAILED");
  // Still open: the rejection with a lone surrogate never ran.
  const { changeRequest } = await t.admin.request<{ changeRequest: { status: string } }>(`query($id: ID!) { changeRequest(id: $id) { status } }`, { id: proposal.proposeChange.id });
  expect(changeRequest.status).toBe("pending");

  expect((await refusals(viewer.id, "refused.revokeKey")).map((r) => [r.target, r.after.code])).toEqual([["\uFFFD", "BAD_USER_INPUT"]]);
  expect((await refusals(jwtAdmin.id, "refused.proposeChange")).map((r) => r.after.code)).toEqual(["BAD_USER_INPUT", "BAD_USER_INPUT"]);
  expect(await verify()).toEqual({ ok: true, brokenAt: null });
  expect(t.logs.filter((l) => l.includes("could not audit") || l.includes("internal error"))).toEqual([]);
});

test("a refused mutation's audit target is cut between code points, never inside a surrogate pair", async () => {
  const id = "a".repeat(199) + "😀";
  const r = await send(viewer.token, `mutation($id: ID!) { revokeKey(id: $id) { id } }`, { id });
  expect(r.code).toBe("FORBIDDEN");
  const [latest] = await refusals(viewer.id, "refused.revokeKey");
  expect(latest!.target).toBe("a".repeat(199));
  expect(latest!.after.code).toBe("FORBIDDEN");
  // An emoji whole within the limit is kept.
  const whole = "a".repeat(198) + "😀";
  expect((await send(viewer.token, `mutation($id: ID!) { revokeKey(id: $id) { id } }`, { id: whole })).code).toBe("FORBIDDEN");
  expect((await refusals(viewer.id, "refused.revokeKey"))[0]!.target).toBe(whole);
  expect(await verify()).toEqual({ ok: true, brokenAt: null });
  expect(t.logs.filter((l) => l.includes("could not audit") || l.includes("internal error"))).toEqual([]);
});

test("well-formed text outside the BMP is accepted and audited faithfully", async () => {
  const name = "team 😀 𝄞";
  const { createTenant } = await t.admin.request<{ createTenant: { id: string; name: string } }>(`mutation($n: String!) { createTenant(input: { name: $n }) { id name } }`, { n: name });
  expect(createTenant.name).toBe(name);
  expect(await verify()).toEqual({ ok: true, brokenAt: null });
  void seed;
});
