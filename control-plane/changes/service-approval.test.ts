/**
 * A principal of kind service holding `approver` (a CI bot, whose token sits in a pipeline secret the
 * author can reach) is no independent second person: approving answers FORBIDDEN, audited as
 * refused.approveChange, and the request stays pending (GOVERNANCE.md step 2). (Review rf's repro, F4.)
 */
import { beforeAll, expect, test } from "bun:test";
import { adminClient } from "../../infra/local/admin-client.ts";
import { principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let s: Seeded;
let ann: ActingPrincipal;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  ann = await principalWith(t.admin, t.cp.url, "ann", [{ role: "approver" }]);
});

test("a service principal's approval does not apply a change", async () => {
  const { createPrincipal } = await t.admin.request<{ createPrincipal: { id: string } }>(`mutation { createPrincipal(input: { name: "ci-bot", kind: "service" }) { id } }`);
  await t.admin.request(`mutation($i: RoleBindingInput!) { grantRole(input: $i) { id } }`, { i: { principalId: createPrincipal.id, role: "approver" } });
  const { issueToken } = await t.admin.request<{ issueToken: { token: string } }>(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { token } }`, {
    i: { principalId: createPrincipal.id, ttlSeconds: 600 },
  });
  const bot = adminClient(t.cp.url, issueToken.token);
  const { proposeChange } = await ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
    i: { description: "reroute", operations: [{ op: "alias.update", alias: { name: "chat", deploymentIds: [s.usDeploymentId] } }] },
  });
  // ann runs the pipeline that holds the bot's token
  const outcome = await bot.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: proposeChange.id }).then(
    (r) => r.approveChange.status,
    (e) => e.code as string,
  );
  expect(outcome).toBe("FORBIDDEN");
  const { changeRequest } = await t.admin.request<{ changeRequest: { status: string } }>(`query($id: ID!) { changeRequest(id: $id) { status } }`, { id: proposeChange.id });
  expect(changeRequest.status).toBe("pending");
  const { auditLog } = await t.admin.request<{ auditLog: { items: { actor: string; after: { code: string } }[] } }>(
    `query($t: String!) { auditLog(action: "refused.approveChange", target: $t) { items { actor after } } }`,
    { t: proposeChange.id },
  );
  expect(auditLog.items.map((i) => [i.actor, i.after.code])).toEqual([[createPrincipal.id, "FORBIDDEN"]]);
});
