/**
 * An approval is the author's own (SELF_APPROVAL) in both directions: when the author stands behind
 * the approver, and when the approver stands behind the author — created it, granted it
 * approver/admin, or issued the token it proposed with. One admin acting with a JWT cannot reroute
 * traffic unreviewed by having a principal of its own making, or a token it issued in a real
 * approver's name, propose the change and then approving it itself. The apply-time count uses the
 * same rule.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { adminClient } from "../../infra/local/admin-client.ts";
import { errorCode, principalWith, twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane({ changeTickMs: 100 });
let s: Seeded;
let mallory: ActingPrincipal; // one admin, acting with a JWT like every non-bootstrap admin
let db: postgres.Sql;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  mallory = await principalWith(t.admin, t.cp.url, "mallory", [{ role: "admin" }]);
  db = t.openSql();
});

const APPROVE = `mutation($id: ID!) { approveChange(id: $id) { status } }`;
const PROPOSE = `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`;
const REROUTE = [
  { op: "deployment.create", deployment: { provider: "openai", baseUrl: "https://attacker.example/v1", model: "gpt-4o", region: "eu", credentialRef: "env:GW_CRED_OPENAI_EU" } },
];
let price = 0;
const priceOp = () => [{ op: "price.set", price: { provider: "openai", model: `rev-${++price}`, inputUsdPerMillion: 0, outputUsdPerMillion: 0 } }];
const status = async (id: string) => (await db<{ status: string }[]>`select status from change_requests where id = ${id}`)[0]!.status;

async function euDeploymentBaseUrls(): Promise<string[]> {
  const r = await fetch(new URL("/internal/v1/snapshots/eu", t.cp.url), { headers: { authorization: `Bearer ${s.euToken}` } });
  const snap = JSON.parse(Buffer.from((await r.text()).split(".")[1]!, "base64url").toString());
  return Object.values(snap.deployments).map((d: any) => d.baseUrl);
}

test("a principal the approver created, granted and issued a token for proposes: its creator's approval is SELF_APPROVAL", async () => {
  expect(await errorCode(mallory.client.request(`mutation { createDeployment(input: { provider: "openai", baseUrl: "https://x.example/v1", model: "m", region: "eu", credentialRef: "env:GW_CRED_X" }) { id } }`))).toBe("FORBIDDEN");
  const puppet = await principalWith(mallory.client, t.cp.url, "puppet", [{ role: "approver" }]);
  const { proposeChange } = await puppet.client.request<{ proposeChange: { id: string } }>(PROPOSE, { i: { description: "innocent", operations: REROUTE } });
  expect(await errorCode(mallory.client.request(APPROVE, { id: proposeChange.id }))).toBe("SELF_APPROVAL");
  expect(await status(proposeChange.id)).toBe("pending");
  expect(await euDeploymentBaseUrls()).not.toContain("https://attacker.example/v1");
});

test("a real approver impersonated with a token the approver issued proposes: SELF_APPROVAL; the same person with their own token is someone else", async () => {
  const human = await principalWith(t.admin, t.cp.url, "human-approver", [{ role: "approver" }]);
  const { issueToken } = await mallory.client.request<{ issueToken: { token: string } }>(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { token } }`, {
    i: { principalId: human.id, ttlSeconds: 600 },
  });
  const asHuman = adminClient(t.cp.url, issueToken.token);
  const forged = (await asHuman.request<{ proposeChange: { id: string } }>(PROPOSE, { i: { description: "price", operations: priceOp() } })).proposeChange.id;
  expect(await errorCode(mallory.client.request(APPROVE, { id: forged }))).toBe("SELF_APPROVAL");
  expect(await status(forged)).toBe("pending");
  const [row] = await db<{ authorJti: string | null }[]>`select author_jti as "authorJti" from change_requests where id = ${forged}`;
  expect(row!.authorJti).not.toBeNull();
  // Proposed with the token the bootstrap admin issued to the human: mallory does not stand behind it.
  const real = (await human.client.request<{ proposeChange: { id: string } }>(PROPOSE, { i: { description: "price", operations: priceOp() } })).proposeChange.id;
  expect((await mallory.client.request<{ approveChange: { status: string } }>(APPROVE, { id: real })).approveChange.status).toBe("applied");
});

test("two approvers set up by someone else still approve each other's changes", async () => {
  const { ann, ben } = await twoApprovers(t.admin, t.cp.url);
  const id = (await ann.client.request<{ proposeChange: { id: string } }>(PROPOSE, { i: { description: "price", operations: priceOp() } })).proposeChange.id;
  expect((await ben.client.request<{ approveChange: { status: string } }>(APPROVE, { id })).approveChange.status).toBe("applied");
});

test("apply-time count: once the approver stands behind the author (granted it admin after approving), a scheduled request goes stale", async () => {
  const author = await principalWith(t.admin, t.cp.url, "later-puppet", [{ role: "approver" }]);
  const applyAt = new Date(Date.now() + 5000).toISOString(); // after the approval and the grant, even on a loaded machine
  const id = (await author.client.request<{ proposeChange: { id: string } }>(PROPOSE, { i: { description: "price", operations: priceOp(), applyAt } })).proposeChange.id;
  expect((await mallory.client.request<{ approveChange: { status: string } }>(APPROVE, { id })).approveChange.status).toBe("scheduled");
  await mallory.client.request(`mutation($i: RoleBindingInput!) { grantRole(input: $i) { id } }`, { i: { principalId: author.id, role: "admin" } });
  for (const deadline = Date.now() + 10_000; (await status(id)) === "scheduled" && Date.now() < deadline; ) await Bun.sleep(100);
  expect(await status(id)).toBe("stale");
  const [row] = await db<{ reason: string }[]>`select reason from change_requests where id = ${id}`;
  expect(row!.reason).toContain("approvals no longer hold");
}, 30_000);
