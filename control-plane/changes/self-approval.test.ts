/**
 * An approval counts as the author's own (SELF_APPROVAL) when the author stands behind the approving
 * principal: created it, granted it approver/admin, or issued the token it approves with — directly
 * or through a principal the author stands behind. The bootstrap token's creations stay usable.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { adminClient, type AdminClient } from "../../infra/local/admin-client.ts";
import { errorCode, principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

let t: TestControlPlane;
let author: ActingPrincipal;
beforeAll(async () => {
  t = await startTestControlPlane();
  author = await principalWith(t.admin, t.cp.url, "author-admin", [{ role: "admin" }]);
});
afterAll(async () => {
  await t.close();
});

const APPROVE = `mutation($id: ID!) { approveChange(id: $id) { status } }`;
let price = 0;
/** A fresh request each time (a new model's price), so requests never go stale on each other. */
const propose = async (who: AdminClient) =>
  (
    await who.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
      i: { description: "price", operations: [{ op: "price.set", price: { provider: "openai", model: `m-${++price}`, inputUsdPerMillion: 1, outputUsdPerMillion: 2 } }] },
    })
  ).proposeChange.id;
const status = async (id: string) => (await t.admin.request<{ changeRequest: { status: string } }>(`query($id: ID!) { changeRequest(id: $id) { status } }`, { id })).changeRequest.status;
const grant = (by: AdminClient, principalId: string, role: string) => by.request(`mutation($i: RoleBindingInput!) { grantRole(input: $i) { id } }`, { i: { principalId, role } });
const token = async (by: AdminClient, principalId: string) =>
  adminClient(t.cp.url, (await by.request<{ issueToken: { token: string } }>(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { token } }`, { i: { principalId, ttlSeconds: 600 } })).issueToken.token);
const create = async (by: AdminClient, name: string, kind = "service") =>
  (await by.request<{ createPrincipal: { id: string } }>(`mutation($i: CreatePrincipalInput!) { createPrincipal(input: $i) { id } }`, { i: { name, kind } })).createPrincipal.id;

test("an admin cannot approve its own change through a service principal it created, granted and issued a token for", async () => {
  const id = await propose(author.client);
  const puppet = await principalWith(author.client, t.cp.url, "sock-puppet", [{ role: "approver" }]);
  expect(await errorCode(puppet.client.request(APPROVE, { id }))).toBe("SELF_APPROVAL");
  expect(await status(id)).toBe("pending");
});

test("each link alone makes the approval the author's: created by, role granted by, token issued by", async () => {
  // Created by the author; role and token from the bootstrap admin.
  const created = await create(author.client, "created-by-author");
  await grant(t.admin, created, "approver");
  // Created by the bootstrap admin; approver granted by the author; token from the bootstrap admin.
  const granted = await create(t.admin, "granted-by-author", "person");
  await grant(author.client, granted, "approver");
  // A real approver set up by the bootstrap admin, impersonated with a token the author issued.
  const human = await principalWith(t.admin, t.cp.url, "human-approver", [{ role: "approver" }]);
  for (const client of [await token(t.admin, created), await token(t.admin, granted), await token(author.client, human.id)]) {
    const id = await propose(author.client);
    expect(await errorCode(client.request(APPROVE, { id }))).toBe("SELF_APPROVAL");
    expect(await status(id)).toBe("pending");
  }
  // The same human with its own token (issued by someone else) is another person.
  const id = await propose(author.client);
  expect((await human.client.request<{ approveChange: { status: string } }>(APPROVE, { id })).approveChange.status).toBe("applied");
});

test("a second hop does not launder it: an admin puppet, or an impersonated admin, sets up the approver", async () => {
  const id = await propose(author.client);
  const hop = await principalWith(author.client, t.cp.url, "hop-admin", [{ role: "admin" }]);
  const approver = await principalWith(hop.client, t.cp.url, "hop-approver", [{ role: "approver" }]);
  expect(await errorCode(approver.client.request(APPROVE, { id }))).toBe("SELF_APPROVAL");
  // Impersonating a real admin (set up by the bootstrap token) with a token the author issued.
  const realAdmin = await principalWith(t.admin, t.cp.url, "real-admin", [{ role: "admin" }]);
  const asRealAdmin = await token(author.client, realAdmin.id);
  const viaImpersonation = await principalWith(asRealAdmin, t.cp.url, "impersonation-approver", [{ role: "approver" }]);
  expect(await errorCode(viaImpersonation.client.request(APPROVE, { id }))).toBe("SELF_APPROVAL");
  expect(await status(id)).toBe("pending");
  // What the real admin sets up with its own token is someone else.
  const legit = await principalWith(realAdmin.client, t.cp.url, "legit-approver", [{ role: "approver" }]);
  expect((await legit.client.request<{ approveChange: { status: string } }>(APPROVE, { id })).approveChange.status).toBe("applied");
});

test("bootstrap path: a change proposed with the bootstrap token is approved by a principal it set up", async () => {
  const approver = await principalWith(t.admin, t.cp.url, "bootstrap-approver", [{ role: "approver" }]);
  const id = await propose(t.admin);
  expect((await approver.client.request<{ approveChange: { status: string } }>(APPROVE, { id })).approveChange.status).toBe("applied");
});
