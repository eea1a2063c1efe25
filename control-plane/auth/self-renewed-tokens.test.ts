/**
 * Final read fr-gov2: a person renews its own token. Tokens live at most an hour and issueToken was
 * admin-only, so an approver's every token came from an admin, who then sat in its token chain: two
 * approvers one admin kept in tokens were one person after the first hour. Now any person may issue a
 * token for itself (minted with its current token, so the chain keeps its first issuer); issuing for
 * anyone else stays admin-only. The documented onboarding (GOVERNANCE.md step 2: the bootstrap issues
 * each reviewer's first token, each renews itself) holds hour after hour.
 */
import { afterEach, beforeAll, expect, setSystemTime, test } from "bun:test";
import { adminClient, type AdminClient } from "../../infra/local/admin-client.ts";
import { errorCode, principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
beforeAll(async () => {
  await seedConfig(t.admin);
});
afterEach(() => setSystemTime());

const price = (m: string) => [{ op: "price.set", price: { provider: "openai", model: m, inputUsdPerMillion: 0, outputUsdPerMillion: 0 } }];
const propose = async (c: AdminClient, ops: unknown[]) =>
  (await c.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "x", operations: ops } })).proposeChange.id;
const approve = async (c: AdminClient, id: string) =>
  (await c.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id })).approveChange.status;
const issue = (by: AdminClient, principalId: string) =>
  by.request<{ issueToken: { token: string; jti: string } }>(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { token jti } }`, { i: { principalId, ttlSeconds: 3600 } });
/** `p` mints its next token with its current one. */
async function renewed(p: ActingPrincipal): Promise<ActingPrincipal> {
  const { issueToken } = await issue(p.client, p.id);
  return { id: p.id, token: issueToken.token, jti: issueToken.jti, client: adminClient(t.cp.url, issueToken.token) };
}

test("two approvers whose first tokens the bootstrap issued renew themselves hourly and review each other at hour 3", async () => {
  const start = Date.now();
  // Onboarded by the bootstrap token: created, granted approver, first token issued (3600 s).
  let ann = await principalWith(t.admin, t.cp.url, "ann", [{ role: "approver" }], 3600);
  let ben = await principalWith(t.admin, t.cp.url, "ben", [{ role: "approver" }], 3600);
  for (let hour = 1; hour <= 3; hour++) {
    // 50 minutes into each token's hour, each mints its next one with it.
    setSystemTime(new Date(start + (hour - 1) * 3_000_000 + 2_950_000));
    ann = await renewed(ann);
    ben = await renewed(ben);
  }
  // Hour 3: the tokens of hour 0 and 1 have expired; the renewed ones work.
  expect(await approve(ben.client, await propose(ann.client, price("hour-3-ann")))).toBe("applied");
  expect(await approve(ann.client, await propose(ben.client, price("hour-3-ben")))).toBe("applied");
});

test("a person renewing itself is audited as token.issue, by itself", async () => {
  const cal = await principalWith(t.admin, t.cp.url, "cal", [{ role: "viewer" }]);
  const next = await renewed(cal);
  const rows = await t.openSql()<{ actor: string; target: string }[]>`select actor, target from audit_log where action = 'token.issue' and target = ${cal.id} order by id`;
  expect(rows.map((r) => r.actor)).toEqual([expect.stringMatching(/^adm_/), cal.id]);
  expect(next.jti).not.toBe(cal.jti);
});

test("an approver still cannot issue a token for anyone else", async () => {
  const dee = await principalWith(t.admin, t.cp.url, "dee", [{ role: "approver" }]);
  const eve = await principalWith(t.admin, t.cp.url, "eve", [{ role: "approver" }]);
  expect(await errorCode(issue(dee.client, eve.id))).toBe("FORBIDDEN");
  const refused = await t.openSql()<{ action: string }[]>`select action from audit_log where actor = ${dee.id} and action = 'refused.issueToken'`;
  expect(refused.length).toBe(1);
});

test("a service principal without admin cannot renew itself: its token sits where others may reach it", async () => {
  const { createPrincipal } = await t.admin.request<{ createPrincipal: { id: string } }>(`mutation($i: CreatePrincipalInput!) { createPrincipal(input: $i) { id } }`, { i: { name: "report-bot", kind: "service" } });
  await t.admin.request(`mutation($i: RoleBindingInput!) { grantRole(input: $i) { id } }`, { i: { principalId: createPrincipal.id, role: "viewer" } });
  const { issueToken } = await issue(t.admin, createPrincipal.id);
  expect(await errorCode(issue(adminClient(t.cp.url, issueToken.token), createPrincipal.id))).toBe("FORBIDDEN");
});
