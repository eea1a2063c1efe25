/**
 * Approvals that no longer count stand in no one's way, with REQUIRED_APPROVALS=2 (reviewer's repros):
 * - a person whose approval was voided (its token revoked, the answer to a stolen token) may approve the
 *   same request again with a new token: the void row is replaced, not a reason to answer "you already
 *   approved";
 * - an approval whose approver lost `approver`/`admin` does not block the person behind it under one
 *   approval per person, when approving nor when counting at apply: only approvals that still count pair.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { adminClient, type AdminClient } from "../../infra/local/admin-client.ts";
import { principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

let t: TestControlPlane;
let seeded: Seeded;
let ann: ActingPrincipal; // author
beforeAll(async () => {
  t = await startTestControlPlane({ requiredApprovals: 2, changeTickMs: 100 });
  seeded = await seedConfig(t.admin);
  ann = await principalWith(t.admin, t.cp.url, "ann", [{ role: "approver" }]);
}, 30_000);
afterAll(async () => {
  await t.close();
});

const propose = async (who: ActingPrincipal, deploymentIds: string[]) =>
  (
    await who.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
      i: { description: "reroute", operations: [{ op: "alias.update", alias: { name: "chat", deploymentIds } }] },
    })
  ).proposeChange.id;
const approve = (client: AdminClient, id: string) =>
  client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id }).then(
    (r) => r.approveChange.status,
    (e) => `refused ${e.code}: ${e.message}`,
  );
const newToken = async (principalId: string) =>
  adminClient(
    t.cp.url,
    (await t.admin.request<{ issueToken: { token: string } }>(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { token } }`, { i: { principalId, ttlSeconds: 600 } }))
      .issueToken.token,
  );

test("an approver whose stolen token was revoked can approve again with a new token", async () => {
  const ben = await principalWith(t.admin, t.cp.url, "ben", [{ role: "approver" }]);
  const cas = await principalWith(t.admin, t.cp.url, "cas", [{ role: "approver" }]);
  const id = await propose(ann, [seeded.usDeploymentId]);
  expect(await approve(ben.client, id)).toBe("pending");
  // Ben's token was stolen: revoked. His approval is now void (GOVERNANCE step 3).
  await t.admin.request(`mutation($j: ID!) { revokeToken(jti: $j) { jti } }`, { j: ben.jti });
  // Ben, the real person, approves again with a fresh token: his is not the void approval.
  const again = await approve(await newToken(ben.id), id);
  // Cas's approval then makes two people (Ben and Cas): it applies.
  expect({ again, cas: await approve(cas.client, id) }).toEqual({ again: "pending", cas: "applied" });
}, 30_000);

test("an earlier approval that no longer counts (its approver lost the role) does not block the person behind it", async () => {
  const dan = await principalWith(t.admin, t.cp.url, "dan", [{ role: "admin" }]);
  // Eve was set up by Dan (created and granted approver by him).
  const eve = await principalWith(dan.client, t.cp.url, "eve", [{ role: "approver" }]);
  const hal = await principalWith(t.admin, t.cp.url, "hal", [{ role: "approver" }]);
  const id = await propose(ann, [seeded.euDeploymentId]);
  expect(await approve(eve.client, id)).toBe("pending");
  // Eve leaves: her approver role is revoked, so her approval counts no more (mayStillApprove).
  await t.admin.request(`mutation($i: RoleBindingInput!) { revokeRole(input: $i) { id } }`, { i: { principalId: eve.id, role: "approver" } });
  // Before 9a95fa9 Dan could approve (Eve's approval not counting, his is the one approval of that side).
  expect(await approve(dan.client, id)).toBe("pending");
  expect(await approve(hal.client, id)).toBe("applied");
}, 30_000);
