/**
 * Tenant names are unique among siblings only, so createTenant's CONFLICT reveals nothing outside the
 * caller's subtree: a tenant admin can use a name that exists elsewhere, and is refused only for a
 * sibling it can see. Moving next to a same-named sibling is CONFLICT too (never a database error).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { errorCode, principalWith } from "../testing/principals.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

let t: TestControlPlane;
beforeAll(async () => {
  t = await startTestControlPlane();
});
afterAll(async () => {
  await t.close();
});

const create = (client: TestControlPlane["admin"], name: string, parentId: string | null) =>
  client.request<{ createTenant: { id: string } }>(`mutation($n: String!, $p: ID) { createTenant(input: { name: $n, parentId: $p }) { id } }`, { n: name, p: parentId });

test("a tenant admin cannot probe names outside its subtree; duplicates among siblings are CONFLICT", async () => {
  const org = (await create(t.admin, "org", null)).createTenant.id;
  const teamA = (await create(t.admin, "team-a", org)).createTenant.id;
  await create(t.admin, "secret-team-b", org);
  const adminA = await principalWith(t.admin, t.cp.url, "ta", [{ role: "tenant_admin", tenantId: teamA }]);
  // The same name under its own team succeeds: the answer does not depend on the sibling team.
  const mine = (await create(adminA.client, "secret-team-b", teamA)).createTenant.id;
  expect(mine).toStartWith("ten_");
  expect(await errorCode(create(adminA.client, "secret-team-b", teamA))).toBe("CONFLICT");
  expect(await errorCode(create(t.admin, "org", null))).toBe("CONFLICT");
  // Moving it up next to the org's own secret-team-b clashes: CONFLICT, not INTERNAL_SERVER_ERROR.
  expect(await errorCode(t.admin.request(`mutation($id: ID!, $p: ID) { moveTenant(id: $id, parentId: $p) { id } }`, { id: mine, p: org }))).toBe("CONFLICT");
});
