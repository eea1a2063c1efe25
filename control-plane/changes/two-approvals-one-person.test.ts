/**
 * REQUIRED_APPROVALS=2 is a "two people other than the author" rule. An admin who is not the author
 * must not supply both approvals alone: its own, and one under a token it issued in a real approver's
 * name (or by a principal it created). Refused at approve time (CONFLICT), and not counted at apply time
 * when the two approvers came to stand behind one another after approving. (Reviewer's repro, extended.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { adminClient, type AdminClient } from "../../infra/local/admin-client.ts";
import { principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

let t: TestControlPlane;
let seeded: Seeded;
let ann: ActingPrincipal; // the author
let xav: ActingPrincipal; // an admin, not the author
let hal: ActingPrincipal; // a real approver, set up by the bootstrap admin
beforeAll(async () => {
  t = await startTestControlPlane({ requiredApprovals: 2, changeTickMs: 100 });
  seeded = await seedConfig(t.admin);
  ann = await principalWith(t.admin, t.cp.url, "ann", [{ role: "approver" }]);
  xav = await principalWith(t.admin, t.cp.url, "xav", [{ role: "admin" }]);
  hal = await principalWith(t.admin, t.cp.url, "hal", [{ role: "approver" }]);
}, 30_000);
afterAll(async () => {
  await t.close();
});

const APPROVE = `mutation($id: ID!) { approveChange(id: $id) { status approvals { approver } } }`;
const propose = async (who: ActingPrincipal, deploymentIds: string[], applyAt?: string) =>
  (
    await who.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
      i: { description: "reroute chat", applyAt, operations: [{ op: "alias.update", alias: { name: "chat", deploymentIds } }] },
    })
  ).proposeChange.id;
const chain = async () =>
  (await t.admin.request<{ aliases: { items: { name: string; deploymentIds: string[] }[] } }>(`{ aliases { items { name deploymentIds } } }`)).aliases.items.find((a) => a.name === "chat")!.deploymentIds;
const approve = (client: AdminClient, id: string) =>
  client.request<{ approveChange: { status: string; approvals: { approver: string }[] } }>(APPROVE, { id }).then(
    (r) => r.approveChange,
    (e) => ({ refused: e.code as string }),
  );
const request = async (id: string) =>
  (await t.admin.request<{ changeRequest: { status: string; reason: string | null; approvals: { approver: string }[] } }>(
    `query($id: ID!) { changeRequest(id: $id) { status reason approvals { approver } } }`,
    { id },
  )).changeRequest;
const tokenFor = async (issuer: AdminClient, principalId: string) =>
  adminClient(
    t.cp.url,
    (await issuer.request<{ issueToken: { token: string } }>(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { token } }`, { i: { principalId, ttlSeconds: 600 } }))
      .issueToken.token,
  );

test("one admin cannot be both approvals of a two-approval change (impersonation token)", async () => {
  const before = await chain();
  const id = await propose(ann, [seeded.usDeploymentId]);
  expect(await approve(xav.client, id)).toMatchObject({ status: "pending" });
  // xav issues itself a token in hal's name and approves again: one person, refused, nothing written.
  expect(await approve(await tokenFor(xav.client, hal.id), id)).toEqual({ refused: "CONFLICT" });
  expect(await chain()).toEqual(before);
  expect(await request(id)).toMatchObject({ status: "pending", approvals: [{ approver: xav.id }] });
});

test("one admin cannot be both approvals of a two-approval change (a principal it created)", async () => {
  const before = await chain();
  const id = await propose(ann, [seeded.euDeploymentId]);
  expect(await approve(xav.client, id)).toMatchObject({ status: "pending" });
  const puppet = await principalWith(xav.client, t.cp.url, "xav-puppet", [{ role: "approver" }]);
  expect(await approve(puppet.client, id)).toEqual({ refused: "CONFLICT" });
  expect(await chain()).toEqual(before);
  expect((await request(id)).status).toBe("pending");
});

test("the other order: the impersonation token first, then the admin's own token", async () => {
  const id = await propose(ann, [seeded.usDeploymentId, seeded.euDeploymentId]);
  expect(await approve(await tokenFor(xav.client, hal.id), id)).toMatchObject({ status: "pending" });
  expect(await approve(xav.client, id)).toEqual({ refused: "CONFLICT" });
  expect((await request(id)).status).toBe("pending");
});

test("two people, neither behind the other, still apply it", async () => {
  const pat = await principalWith(t.admin, t.cp.url, "pat", [{ role: "approver" }]);
  const id = await propose(ann, [seeded.usDeploymentId, seeded.euDeploymentId]);
  expect(await approve(pat.client, id)).toMatchObject({ status: "pending" });
  expect(await approve(hal.client, id)).toMatchObject({ status: "applied" });
  expect(await chain()).toEqual([seeded.usDeploymentId, seeded.euDeploymentId]);
});

test("counted again at apply: approvers who came to stand behind one another count once", async () => {
  const before = await chain();
  const kim = await principalWith(t.admin, t.cp.url, "kim", [{ role: "approver" }]);
  // Far enough ahead that the approvals and the grant below come first on a loaded machine (2 s was not).
  const applyAt = Date.now() + 6_000;
  const id = await propose(ann, [seeded.usDeploymentId], new Date(applyAt).toISOString());
  expect(await approve(xav.client, id)).toMatchObject({ status: "pending" });
  expect(await approve(kim.client, id)).toMatchObject({ status: "scheduled" });
  // xav grants kim admin after both approved: xav now stands behind kim, so the two are one person.
  await xav.client.request(`mutation($i: RoleBindingInput!) { grantRole(input: $i) { id } }`, { i: { principalId: kim.id, role: "admin" } });
  const deadline = applyAt + 10_000;
  while ((await request(id)).status === "scheduled" && Date.now() < deadline) await Bun.sleep(100);
  const after = await request(id);
  expect(after.status).toBe("stale");
  expect(after.reason).toContain("1 valid, 2 required");
  expect(await chain()).toEqual(before);
}, 30_000);
