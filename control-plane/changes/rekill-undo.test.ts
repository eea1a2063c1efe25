/**
 * A pending undo of a kill switch (tenant.enable, deployment.enable, a rollback) goes stale when a
 * kill switch is pulled again on its target for a new incident while it was still off: the second kill
 * changes no value, but approving the undo would re-enable at once what an admin just killed, and its
 * approver reviewed a request written before that kill. (Review rf's repro, F2.)
 */
import { beforeAll, expect, test } from "bun:test";
import { twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { addTenant } from "../testing/add-tenant.ts";

const t = useTestControlPlane();
let s: Seeded;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  ({ ann, ben } = await twoApprovers(t.admin, t.cp.url));
});

const kill = (kind: string, id: string, reason: string) =>
  t.admin.request(`mutation($t: KillSwitchTarget!, $r: String!) { killSwitch(target: $t, reason: $r) { affected } }`, { t: { kind, id }, r: reason });
const propose = async (operations: unknown[]) =>
  (await ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "incident over", operations } })).proposeChange.id;
const approve = (id: string) => ben.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id }).then((r) => r.approveChange.status, (e) => e.code as string);

test("tenant.enable proposed after kill #1 does not apply after kill #2", async () => {
  const team = await addTenant(t.admin, "rekill-team", s.tenantId);
  await kill("tenant", team, "incident 1: runaway spend");
  const undo = await propose([{ op: "tenant.enable", id: team }]);
  await kill("tenant", team, "incident 2: leaked keys, keep it off");
  expect(await approve(undo)).toBe("CONFLICT");
  const { tenant } = await t.admin.request<{ tenant: { status: string } }>(`query($id: ID!) { tenant(id: $id) { status } }`, { id: team });
  expect(tenant.status).toBe("disabled");
});

test("deployment.enable proposed after kill #1 does not apply after kill #2", async () => {
  await kill("deployment", s.usDeploymentId, "incident 1: vendor 5xx");
  const undo = await propose([{ op: "deployment.enable", id: s.usDeploymentId }]);
  await kill("deployment", s.usDeploymentId, "incident 2: vendor leaking prompts");
  expect(await approve(undo)).toBe("CONFLICT");
});

test("a rollback re-enabling a deployment goes stale when its provider is killed; audited as change.stale", async () => {
  const { createDeployment } = await t.admin.request<{ createDeployment: { id: string } }>(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, {
    i: { provider: "openai", baseUrl: "https://rekill.example/v1", model: "gpt-4o-mini", region: "eu", credentialRef: "env:GW_REKILL" },
  });
  const { configVersion } = await t.admin.request<{ configVersion: number }>(`{ configVersion }`);
  await kill("deployment", createDeployment.id, "incident 1");
  const undo = (await ann.client.request<{ proposeRollback: { id: string } }>(`mutation($v: Int!) { proposeRollback(toVersion: $v) { id } }`, { v: configVersion })).proposeRollback.id;
  await kill("provider", "openai", "incident 2: the vendor leaks prompts");
  expect(await approve(undo)).toBe("CONFLICT");
  const { auditLog } = await t.admin.request<{ auditLog: { items: { after: { reason: string } }[] } }>(`query($t: String!) { auditLog(action: "change.stale", target: $t) { items { after } } }`, { t: undo });
  expect(auditLog.items.map((i) => i.after.reason)).toEqual([`it would re-enable deployment ${createDeployment.id}, disabled since by a kill switch on provider openai`]);
});
