/**
 * Revoking a token revokes every token minted with it, transitively: a thief holding a stolen admin
 * JWT mints another with it (and another with that), and `revokeToken` on the stolen one must end
 * them all and void what they did, as it voids the stolen token's own acts — their open proposals go
 * stale, their approvals stop counting — each revocation audited as `token.revoke`. Tokens not minted
 * with it keep working. A mutation of a minted token queued behind the revocation is refused too.
 * (Reviewer's repro, rv-authz.)
 */
import { beforeAll, expect, test } from "bun:test";
import { adminClient, type AdminClient, AdminApiError } from "../../infra/local/admin-client.ts";
import { holdConfigLock } from "../testing/hold-config-lock.ts";
import { lockWaiters } from "../testing/hold-tenant-row.ts";
import { principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let bob: ActingPrincipal; // a real approver, set up by the bootstrap admin
beforeAll(async () => {
  await seedConfig(t.admin);
  bob = await principalWith(t.admin, t.cp.url, "bob", [{ role: "approver" }]);
});

const ISSUE = `mutation($i: IssueTokenInput!) { issueToken(input: $i) { token jti } }`;
const PROPOSE = `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`;
const APPROVE = `mutation($id: ID!) { approveChange(id: $id) { status } }`;
const REVOKE = `mutation($j: ID!) { revokeToken(jti: $j) { jti } }`;
let model = 0;
const priceOp = () => [{ op: "price.set", price: { provider: "openai", model: `minted-${++model}`, inputUsdPerMillion: 0, outputUsdPerMillion: 0 } }];

const codeOf = (request: Promise<unknown>): Promise<string> => request.then(() => "done", (e: AdminApiError) => e.code ?? String(e));
const mint = async (issuer: AdminClient, principalId: string) => {
  const { issueToken } = await issuer.request<{ issueToken: { token: string; jti: string } }>(ISSUE, { i: { principalId, ttlSeconds: 3600 } });
  return { jti: issueToken.jti, client: adminClient(t.cp.url, issueToken.token) };
};
const statusOf = async (id: string) =>
  (await t.admin.request<{ changeRequest: { status: string } }>(`query($id: ID!) { changeRequest(id: $id) { status } }`, { id })).changeRequest.status;

test("revoking a stolen token ends the tokens minted with it, transitively, and voids what they did", async () => {
  const alice = await principalWith(t.admin, t.cp.url, "alice", [{ role: "admin" }]); // her token gets stolen
  const aliceElsewhere = await mint(t.admin, alice.id); // her other session, not minted with the stolen token
  // The thief mints a token for alice with the stolen one, and with that one a token in bob's name.
  const minted = await mint(alice.client, alice.id);
  const grandchild = await mint(minted.client, bob.id);
  const proposal = (await minted.client.request<{ proposeChange: { id: string } }>(PROPOSE, { i: { description: "x", operations: priceOp() } })).proposeChange.id;
  // "bob" (the grandchild) approves a real proposal scheduled for later.
  const real = await principalWith(t.admin, t.cp.url, "carol", [{ role: "approver" }]);
  const applyAt = new Date(Date.now() + 3_600_000).toISOString();
  const scheduled = (await real.client.request<{ proposeChange: { id: string } }>(PROPOSE, { i: { description: "y", operations: priceOp(), applyAt } })).proposeChange.id;
  expect((await grandchild.client.request<{ approveChange: { status: string } }>(APPROVE, { id: scheduled })).approveChange.status).toBe("scheduled");

  await t.admin.request(REVOKE, { j: alice.jti });

  for (const client of [alice.client, minted.client, grandchild.client]) expect(await codeOf(client.request(`{ me { id } }`))).toBe("UNAUTHENTICATED");
  expect(await codeOf(minted.client.request(ISSUE, { i: { principalId: alice.id, ttlSeconds: 3600 } }))).toBe("UNAUTHENTICATED");
  expect(await statusOf(proposal)).toBe("stale");
  // The grandchild's approval is void: the real bob approves afresh (it would be his second otherwise).
  expect((await bob.client.request<{ approveChange: { status: string } }>(APPROVE, { id: scheduled })).approveChange.status).toBe("scheduled");
  // Tokens not minted with the stolen one keep working.
  expect(await codeOf(aliceElsewhere.client.request(`{ me { id } }`))).toBe("done");
  expect(await codeOf(bob.client.request(`{ me { id } }`))).toBe("done");

  const db = t.openSql(1);
  const rows = await db<{ action: string; target: string; actor: string }[]>`
    select action, target, actor from audit_log where action in ('token.revoke', 'change.stale')
      and id >= (select id from audit_log where action = 'token.revoke' and target = ${alice.jti}) order by id`;
  expect(rows.map((r) => [r.action, r.target])).toEqual([
    ["token.revoke", alice.jti],
    ["token.revoke", minted.jti],
    ["change.stale", proposal],
    ["token.revoke", grandchild.jti],
  ]);
  expect(new Set(rows.map((r) => r.actor)).size).toBe(1);
  const [revokedChild] = await db<{ after: { revokedWith?: string } }[]>`
    select after from audit_log where action = 'token.revoke' and target = ${grandchild.jti}`;
  expect(revokedChild!.after.revokedWith).toBe(alice.jti);
}, 30_000);

test("a mutation of a minted token queued behind the revocation of its minter is refused", async () => {
  const dave = await principalWith(t.admin, t.cp.url, "dave", [{ role: "admin" }]);
  const minted = await mint(dave.client, dave.id);
  const watch = t.openSql(1);
  const release = await holdConfigLock(t.db.url);
  const revoke = t.admin.request(REVOKE, { j: dave.jti });
  await lockWaiters(watch, t.db.name, 1);
  const queued = codeOf(minted.client.request(ISSUE, { i: { principalId: dave.id, ttlSeconds: 3600 } }));
  await lockWaiters(watch, t.db.name, 2);
  await release();
  await revoke;
  expect(await queued).toBe("UNAUTHENTICATED");
}, 30_000);
