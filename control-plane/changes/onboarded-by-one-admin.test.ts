/**
 * Final read of 6ea7578: who created a principal or granted it a role does not act as it; only a token
 * does. Two real people onboarded (created, granted approver) by one admin acting with a JWT, each
 * holding a token that admin did not issue (the bootstrap token issued them), are two people, to
 * review each other and to count as two approvals. What stays: a shared issuer up the token chains
 * (a token the person minted with one that admin issued counts that admin), and what the approver
 * made itself (a CI bot it created, its token from the bootstrap) is the approver's own.
 */
import { beforeAll, expect, test } from "bun:test";
import { adminClient, type AdminClient } from "../../infra/local/admin-client.ts";
import { principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig } from "../testing/seed.ts";
import { startTestControlPlane, useTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let alice: ActingPrincipal; // a real admin, set up by the bootstrap token, acting with her JWT
beforeAll(async () => {
  await seedConfig(t.admin);
  alice = await principalWith(t.admin, t.cp.url, "alice", [{ role: "admin" }]);
});

const price = (m: string) => [{ op: "price.set", price: { provider: "openai", model: m, inputUsdPerMillion: 0, outputUsdPerMillion: 0 } }];
const propose = async (c: AdminClient, ops: unknown[]) =>
  (await c.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "x", operations: ops } })).proposeChange.id;
const approve = async (c: AdminClient, id: string) => {
  try {
    return (await c.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id })).approveChange.status;
  } catch (e) {
    return `error: ${(e as { code?: string }).code ?? String(e)}`;
  }
};
/** A person `by` creates and grants approver; the bootstrap token issues the person's token (Alice never holds one). */
async function onboardedBy(by: AdminClient, name: string, role = "approver", kind = "person", cp: TestControlPlane = t): Promise<ActingPrincipal> {
  const { createPrincipal } = await by.request<{ createPrincipal: { id: string } }>(`mutation($i: CreatePrincipalInput!) { createPrincipal(input: $i) { id } }`, { i: { name, kind } });
  await by.request(`mutation($i: RoleBindingInput!) { grantRole(input: $i) { id } }`, { i: { principalId: createPrincipal.id, role } });
  return tokenFrom(cp.admin, createPrincipal.id, cp);
}
/** A fresh token for `principalId`, issued by `issuer`, acting as it. */
async function tokenFrom(issuer: AdminClient, principalId: string, cp: TestControlPlane = t): Promise<ActingPrincipal> {
  const { issueToken } = await issuer.request<{ issueToken: { token: string; jti: string } }>(
    `mutation($i: IssueTokenInput!) { issueToken(input: $i) { token jti } }`, { i: { principalId, ttlSeconds: 600 } });
  return { id: principalId, token: issueToken.token, jti: issueToken.jti, client: adminClient(cp.cp.url, issueToken.token) };
}

test("two people one JWT admin created and granted approver, with tokens she did not issue, review each other", async () => {
  const ann = await onboardedBy(alice.client, "ann");
  const ben = await onboardedBy(alice.client, "ben");
  expect(await approve(ben.client, await propose(ann.client, price("ann-m")))).toBe("applied");
  expect(await approve(ann.client, await propose(ben.client, price("ben-m")))).toBe("applied");
});

test("nor does it spread down a tree of admins: Alice set up admins Xav and Yan, who each onboarded one person", async () => {
  const xav = await onboardedBy(alice.client, "xav", "admin");
  const yan = await onboardedBy(alice.client, "yan", "admin");
  const cat = await onboardedBy(xav.client, "cat");
  const dan = await onboardedBy(yan.client, "dan");
  expect(await approve(dan.client, await propose(cat.client, price("cat-m")))).toBe("applied");
});

test("a token a person mints for themself counts its own issuer chain", async () => {
  // Admins Eli and Fay, onboarded by Alice, their tokens from the bootstrap: each mints a fresh token for itself.
  const mintsOwn = async (name: string) => {
    const p = await onboardedBy(alice.client, name, "admin");
    return tokenFrom(p.client, p.id);
  };
  const eli = await mintsOwn("eli");
  const fay = await mintsOwn("fay");
  expect(await approve(fay.client, await propose(eli.client, price("eli-m")))).toBe("applied");
  // Gil's token was minted by Gil with a token Alice issued him; Hana's Alice issued: Alice stands behind both tokens.
  const gil = await onboardedBy(alice.client, "gil", "admin");
  const gilMinted = await tokenFrom((await tokenFrom(alice.client, gil.id)).client, gil.id);
  const hana = await tokenFrom(alice.client, (await onboardedBy(t.admin, "hana")).id);
  expect(await approve(hana.client, await propose(gilMinted.client, price("gil-m")))).toBe("error: SELF_APPROVAL");
  // With the token the bootstrap issued him, Gil is Gil: Hana-with-Alice's-token still shares no issuer with him.
  expect(await approve(hana.client, await propose(gil.client, price("gil-m2")))).toBe("applied");
});

test("a CI bot Alice created, its token from the bootstrap, proposes: Alice's approval is her own", async () => {
  const bot = await onboardedBy(alice.client, "ci-bot", "approver", "service");
  expect(await approve(alice.client, await propose(bot.client, price("ci-m")))).toBe("error: SELF_APPROVAL");
});

test("REQUIRED_APPROVALS=2: two people Alice onboarded are two approvals; two tokens she issued are one", async () => {
  let t2: TestControlPlane | undefined;
  try {
    t2 = await startTestControlPlane({ requiredApprovals: 2 });
    await seedConfig(t2.admin);
    const boss = await principalWith(t2.admin, t2.cp.url, "alice", [{ role: "admin" }]);
    const author = await principalWith(t2.admin, t2.cp.url, "author", [{ role: "approver" }]);
    const [ivy, jon] = [await onboardedBy(boss.client, "ivy", "approver", "person", t2), await onboardedBy(boss.client, "jon", "approver", "person", t2)];
    const id = await propose(author.client, price("two-people-2"));
    expect(await approve(ivy.client, id)).toBe("pending");
    expect(await approve(jon.client, id)).toBe("applied");
    const asIvy = await tokenFrom(boss.client, ivy.id, t2);
    const asJon = await tokenFrom(boss.client, jon.id, t2);
    const one = await propose(author.client, price("one-person"));
    expect(await approve(asIvy.client, one)).toBe("pending");
    expect(await approve(asJon.client, one)).toBe("error: CONFLICT");
  } finally {
    await t2?.close();
  }
}, 60_000);
