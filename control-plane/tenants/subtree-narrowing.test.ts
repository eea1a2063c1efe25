/**
 * "Never widen" holds for whole subtrees: a parent cannot be narrowed below a descendant, a subtree
 * whose grandchild is wide cannot move under a tighter parent, and one request may narrow a parent
 * and its children together in any order.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { AdminApiError } from "../../infra/local/admin-client.ts";
import { principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";
import { addTenant } from "../testing/add-tenant.ts";

let t: TestControlPlane;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
beforeAll(async () => {
  t = await startTestControlPlane();
  ann = await principalWith(t.admin, t.cp.url, "ann", [{ role: "approver" }]);
  ben = await principalWith(t.admin, t.cp.url, "ben", [{ role: "approver" }]);
});
afterAll(async () => {
  await t.close();
});

const propose = (operations: { id: string; tenantPolicy: Record<string, unknown> }[]) =>
  ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
    i: { description: "policy", operations: operations.map((o) => ({ op: "tenant.policy", ...o })) },
  });
const applied = async (operations: { id: string; tenantPolicy: Record<string, unknown> }[]) => {
  const id = (await propose(operations)).proposeChange.id;
  return (await ben.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id })).approveChange.status;
};
const refusal = async (request: Promise<unknown>) => {
  const error = await request.then(() => null, (e: unknown) => e);
  if (!(error instanceof AdminApiError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return { code: error.code, message: error.message };
};
const rpmOf = async (id: string) => (await t.admin.request<{ tenant: { rpm: number | null; parentId: string | null } }>(`query($id: ID!) { tenant(id: $id) { rpm parentId } }`, { id })).tenant;

test("a parent cannot be narrowed below a grandchild's own limit", async () => {
  const org = await addTenant(t.admin, "n-org", null);
  const team = await addTenant(t.admin, "n-team", org);
  const project = await addTenant(t.admin, "n-project", team);
  expect(await applied([{ id: project, tenantPolicy: { rpm: 500, allowedAliases: ["chat", "other"] } }])).toBe("applied");
  const r = await refusal(propose([{ id: org, tenantPolicy: { rpm: 100 } }]));
  expect(r.code).toBe("BAD_USER_INPUT");
  expect(r.message).toContain(project);
  expect((await refusal(propose([{ id: org, tenantPolicy: { allowedAliases: ["chat"] } }]))).message).toContain("allowedAliases");
  // Narrowing the child and the parent in one request works, whichever comes first.
  expect(await applied([{ id: org, tenantPolicy: { rpm: 100 } }, { id: project, tenantPolicy: { rpm: 50 } }])).toBe("applied");
  expect((await rpmOf(org)).rpm).toBe(100);
  expect((await rpmOf(project)).rpm).toBe(50);
});

test("moving a subtree under a tighter parent is refused when any descendant would widen", async () => {
  const tight = await addTenant(t.admin, "m-tight", null);
  const loose = await addTenant(t.admin, "m-loose", null);
  const team = await addTenant(t.admin, "m-team", loose);
  const project = await addTenant(t.admin, "m-project", team);
  expect(await applied([{ id: tight, tenantPolicy: { rpm: 100 } }, { id: project, tenantPolicy: { rpm: 1000 } }])).toBe("applied");
  const move = (id: string, p: string) => t.admin.request(`mutation($id: ID!, $p: ID) { moveTenant(id: $id, parentId: $p) { id } }`, { id, p });
  const r = await refusal(move(team, tight));
  expect(r.code).toBe("BAD_USER_INPUT");
  expect(r.message).toContain(project);
  expect((await rpmOf(team)).parentId).toBe(loose);
  expect(await applied([{ id: project, tenantPolicy: { rpm: 80 } }])).toBe("applied");
  await move(team, tight);
  expect((await rpmOf(team)).parentId).toBe(tight);
});
