/**
 * Only the bootstrap admin token may change routing directly (createDeployment, createAlias,
 * updateAlias, setPrice): an admin acting with a JWT is FORBIDDEN there (audited as refused.<field>)
 * and goes through change requests like everyone else, which still works for it.
 */
import { beforeAll, expect, test } from "bun:test";
import { errorCode, principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let s: Seeded;
let jwtAdmin: ActingPrincipal;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  jwtAdmin = await principalWith(t.admin, t.cp.url, "jwt-admin", [{ role: "admin" }]);
});

test("a JWT admin cannot use the direct routing mutations; the bootstrap token can", async () => {
  const dep = { provider: "openai", baseUrl: "https://x.example/v1", model: "direct", region: "eu", credentialRef: "env:GW_CRED_X" };
  const calls: [string, string, Record<string, unknown>][] = [
    ["createDeployment", `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, { i: dep }],
    ["createAlias", `mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: "direct", deploymentIds: [s.euDeploymentId] } }],
    ["updateAlias", `mutation($i: AliasInput!) { updateAlias(input: $i) { name } }`, { i: { name: "chat", deploymentIds: [s.usDeploymentId] } }],
    ["setPrice", `mutation($i: SetPriceInput!) { setPrice(input: $i) { model } }`, { i: { provider: "openai", model: "direct", inputUsdPerMillion: 1, outputUsdPerMillion: 2 } }],
  ];
  const versionBefore = (await t.admin.request<{ configVersion: number }>(`{ configVersion }`)).configVersion;
  for (const [field, query, variables] of calls) expect([field, await errorCode(jwtAdmin.client.request(query, variables))]).toEqual([field, "FORBIDDEN"]);
  expect((await t.admin.request<{ configVersion: number }>(`{ configVersion }`)).configVersion).toBe(versionBefore);
  const { auditLog } = await t.admin.request<{ auditLog: { items: { action: string }[] } }>(`query($a: String) { auditLog(actor: $a, first: 20) { items { action } } }`, { a: jwtAdmin.id });
  expect(auditLog.items.map((i) => i.action).sort()).toEqual(["refused.createAlias", "refused.createDeployment", "refused.setPrice", "refused.updateAlias"]);
  // The bootstrap token still seeds directly.
  const { createDeployment } = await t.admin.request<{ createDeployment: { id: string } }>(calls[0]![1], calls[0]![2]);
  expect(createDeployment.id).toStartWith("dep_");
});

test("a JWT admin proposes the same change and another person approves it", async () => {
  const approver = await principalWith(t.admin, t.cp.url, "approver", [{ role: "approver" }]);
  const { proposeChange } = await jwtAdmin.client.request<{ proposeChange: { id: string } }>(
    `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`,
    { i: { description: "route chat to us", operations: [{ op: "alias.update", alias: { name: "chat", deploymentIds: [s.usDeploymentId] } }] } },
  );
  const { approveChange } = await approver.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: proposeChange.id });
  expect(approveChange.status).toBe("applied");
});
