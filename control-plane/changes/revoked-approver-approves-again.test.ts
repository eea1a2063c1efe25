/**
 * A person whose approval was voided (its token revoked, the answer to a stolen token) may approve the
 * same request again with a new token: the void row is replaced, not a reason to answer "you already
 * approved". With REQUIRED_APPROVALS=2. (Reviewer's repro.)
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
