/**
 * A tenant admin sees a change request only when every write in it is tenant policy or status inside
 * its subtree: a request that also touches deployments, aliases or prices is NOT_FOUND for it and
 * missing from its list, so the global config in its diff (baseUrl, credentialRef, model, chain)
 * never reaches it.
 */
import { beforeAll, expect, test } from "bun:test";
import { errorCode, principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let s: Seeded;
let approver: ActingPrincipal;
let tenantAdmin: ActingPrincipal;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  approver = await principalWith(t.admin, t.cp.url, "approver", [{ role: "approver" }]);
  tenantAdmin = await principalWith(t.admin, t.cp.url, "tenant-admin", [{ role: "tenant_admin", tenantId: s.tenantId }]);
});

const propose = async (operations: unknown[]) =>
  (await approver.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "t", operations } })).proposeChange.id;
const policy = (rpm: number) => ({ op: "tenant.policy", id: s.tenantId, tenantPolicy: { rpm } });

test("a request mixing global writes with the tenant admin's tenant policy is NOT_FOUND for it and not listed", async () => {
  const deployment = { provider: "openai", baseUrl: "https://internal-vendor.example/v1", model: "secret-model", region: "eu", credentialRef: "env:GW_CRED_INTERNAL" };
  const mixed = [
    await propose([{ op: "deployment.create", deployment }, policy(100)]),
    await propose([{ op: "alias.update", alias: { name: "chat", deploymentIds: [s.usDeploymentId] } }, policy(90)]),
    await propose([{ op: "price.set", price: { provider: "openai", model: "secret-model", inputUsdPerMillion: 1, outputUsdPerMillion: 2 } }, policy(80)]),
  ];
  const own = await propose([policy(70)]);
  for (const id of mixed) expect([id, await errorCode(tenantAdmin.client.request(`query($id: ID!) { changeRequest(id: $id) { diff { after } } }`, { id }))]).toEqual([id, "NOT_FOUND"]);
  const { changeRequests } = await tenantAdmin.client.request<{ changeRequests: { items: { id: string }[] } }>(`{ changeRequests(first: 100) { items { id diff { after } } } }`);
  expect(changeRequests.items.map((c) => c.id)).toEqual([own]);
  expect(JSON.stringify(changeRequests)).not.toContain("GW_CRED_INTERNAL");
  // A global reader still sees them all.
  const all = await t.admin.request<{ changeRequests: { items: { id: string }[] } }>(`{ changeRequests(first: 100) { items { id } } }`);
  expect(all.changeRequests.items.map((c) => c.id).sort()).toEqual([...mixed, own].sort());
});

test("a rollback that restores global config is NOT_FOUND for a tenant admin even when it touches its tenant", async () => {
  const v0 = (await t.admin.request<{ configVersion: number }>(`{ configVersion }`)).configVersion;
  await t.admin.request(`mutation($i: AliasInput!) { updateAlias(input: $i) { name } }`, { i: { name: "chat", deploymentIds: [s.usDeploymentId] } });
  const policyChange = await propose([policy(60)]);
  expect((await t.admin.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: policyChange })).approveChange.status).toBe("applied");
  const rollback = await approver.client.request<{ proposeRollback: { id: string } }>(`mutation($v: Int!) { proposeRollback(toVersion: $v) { id } }`, { v: v0 });
  const proposeRollback = rollback.proposeRollback.id;
  expect(await errorCode(tenantAdmin.client.request(`query($id: ID!) { changeRequest(id: $id) { id } }`, { id: proposeRollback }))).toBe("NOT_FOUND");
  const { changeRequests } = await tenantAdmin.client.request<{ changeRequests: { items: { id: string }[] } }>(`{ changeRequests(first: 100) { items { id } } }`);
  expect(changeRequests.items.map((c) => c.id)).not.toContain(proposeRollback);
});
