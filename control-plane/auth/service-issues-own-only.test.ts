/**
 * Final read fr-gov2: a service principal holding `admin` issued tokens in anyone's name. A CI bot's
 * token sits where the author may reach it (GOVERNANCE.md step 2), so Mallory, reading it, minted a
 * token as real approver Ann, proposed as "Ann" and approved as herself: applied, and with
 * REQUIRED_APPROVALS=2 her own approval and Ann's counted as two. A service principal now issues tokens
 * only for itself, whatever its roles.
 */
import { beforeAll, expect, test } from "bun:test";
import { adminClient, type AdminClient } from "../../infra/local/admin-client.ts";
import { errorCode, principalWith } from "../testing/principals.ts";
import { seedConfig } from "../testing/seed.ts";
import { startTestControlPlane, useTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
beforeAll(async () => {
  await seedConfig(t.admin);
});

const price = (m: string) => [{ op: "price.set", price: { provider: "openai", model: m, inputUsdPerMillion: 0, outputUsdPerMillion: 0 } }];
const propose = async (c: AdminClient, ops: unknown[]) =>
  (await c.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "x", operations: ops } })).proposeChange.id;
const approve = (c: AdminClient, id: string) => c.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id });
async function create(by: AdminClient, name: string, role: string, kind = "person"): Promise<string> {
  const { createPrincipal } = await by.request<{ createPrincipal: { id: string } }>(`mutation($i: CreatePrincipalInput!) { createPrincipal(input: $i) { id } }`, { i: { name, kind } });
  await by.request(`mutation($i: RoleBindingInput!) { grantRole(input: $i) { id } }`, { i: { principalId: createPrincipal.id, role } });
  return createPrincipal.id;
}
const issue = (by: AdminClient, principalId: string) =>
  by.request<{ issueToken: { token: string; jti: string } }>(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { token jti } }`, { i: { principalId, ttlSeconds: 600 } });
async function tokenFrom(issuer: AdminClient, principalId: string, cp: TestControlPlane = t): Promise<AdminClient> {
  return adminClient(cp.cp.url, (await issue(issuer, principalId)).issueToken.token);
}

test("Mallory, with the CI bot's admin token, cannot mint a token as approver Ann", async () => {
  const xav = await principalWith(t.admin, t.cp.url, "xav-ci-owner", [{ role: "admin" }]);
  const bot = await create(xav.client, "deploy-bot", "admin", "service");
  const botToken = await tokenFrom(xav.client, bot); // sits in CI, where Mallory can read it
  const ann = await create(t.admin, "ann-ci", "approver");
  expect(await errorCode(issue(botToken, ann))).toBe("FORBIDDEN");
  const refused = await t.openSql()<{ n: number }[]>`select count(*)::int as n from audit_log where actor = ${bot} and action = 'refused.issueToken'`;
  expect(refused[0]!.n).toBe(1);
  // Its own token it may still renew, as it could before.
  expect((await issue(botToken, bot)).issueToken.jti).toStartWith("jti_");
});

test("REQUIRED_APPROVALS=2: Mallory's approval and one as Ann minted with the bot's token are not two", async () => {
  const t2 = await startTestControlPlane({ requiredApprovals: 2 });
  try {
    await seedConfig(t2.admin);
    const m = await principalWith(t2.admin, t2.cp.url, "mallory", [{ role: "admin" }]);
    const author = await principalWith(t2.admin, t2.cp.url, "author", [{ role: "approver" }]);
    const xav = await principalWith(t2.admin, t2.cp.url, "xav", [{ role: "admin" }]);
    const bot = await create(xav.client, "deploy-bot", "admin", "service");
    const botToken = await tokenFrom(xav.client, bot, t2);
    const ann = await create(t2.admin, "ann", "approver");
    const id = await propose(author.client, price("two-as-one"));
    expect((await approve(m.client, id)).approveChange.status).toBe("pending");
    expect(await errorCode(issue(botToken, ann))).toBe("FORBIDDEN");
  } finally {
    await t2.close();
  }
}, 60_000);
