/**
 * An approval is the author's own (SELF_APPROVAL) when one third party stands behind both acts, not
 * only when one of the two stands behind the other: an admin acting with a JWT who issues a token in
 * real approver Ann's name and one in real approver Ben's, proposes as "Ann" and approves as "Ben",
 * has reviewed its own change. The same for counting people: two approvals made with tokens one admin
 * issued are one person's (CONFLICT). Principals of its own making count like tokens. The bootstrap
 * token, behind every principal of a fresh install, makes nobody the same person (GOVERNANCE.md).
 * (Reviewer's repro, rv-authz.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { adminClient, type AdminClient } from "../../infra/local/admin-client.ts";
import { errorCode, principalWith, twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { startTestControlPlane, useTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let s: Seeded;
let mallory: ActingPrincipal; // one admin, acting with a JWT
beforeAll(async () => {
  s = await seedConfig(t.admin);
  mallory = await principalWith(t.admin, t.cp.url, "mallory", [{ role: "admin" }]);
});

const PROPOSE = `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`;
const APPROVE = `mutation($id: ID!) { approveChange(id: $id) { status } }`;
const ISSUE = `mutation($i: IssueTokenInput!) { issueToken(input: $i) { token } }`;
// The eu deployment (which the alias "chat" routes to, with the vendor credential) now calls the attacker's host.
const reroute = (deploymentId: string, host = "attacker.example") => [{ op: "deployment.update", id: deploymentId, deployment: { baseUrl: `https://${host}/v1` } }];

const propose = async (client: AdminClient, operations: unknown[]) =>
  (await client.request<{ proposeChange: { id: string } }>(PROPOSE, { i: { description: "innocent", operations } })).proposeChange.id;
const approved = async (client: AdminClient, id: string) => (await client.request<{ approveChange: { status: string } }>(APPROVE, { id })).approveChange.status;
const tokenFrom = async (issuer: AdminClient, url: string, principalId: string) =>
  adminClient(url, (await issuer.request<{ issueToken: { token: string } }>(ISSUE, { i: { principalId, ttlSeconds: 600 } })).issueToken.token);
const statusOf = async (admin: AdminClient, id: string) =>
  (await admin.request<{ changeRequest: { status: string } }>(`query($id: ID!) { changeRequest(id: $id) { status } }`, { id })).changeRequest.status;

async function euDeploymentBaseUrls(): Promise<string[]> {
  const r = await fetch(new URL("/internal/v1/snapshots/eu", t.cp.url), { headers: { authorization: `Bearer ${s.euToken}` } });
  const snap = JSON.parse(Buffer.from((await r.text()).split(".")[1]!, "base64url").toString());
  return Object.values(snap.deployments).map((d: any) => d.baseUrl);
}

test("one admin cannot propose and approve through two tokens it issued in real approvers' names", async () => {
  const { ann, ben } = await twoApprovers(t.admin, t.cp.url); // two real people, set up by the bootstrap admin
  const asAnn = await tokenFrom(mallory.client, t.cp.url, ann.id);
  const asBen = await tokenFrom(mallory.client, t.cp.url, ben.id);
  const id = await propose(asAnn, reroute(s.euDeploymentId));
  expect(await errorCode(asBen.request(APPROVE, { id }))).toBe("SELF_APPROVAL");
  expect(await statusOf(t.admin, id)).toBe("pending");
  expect(await euDeploymentBaseUrls()).not.toContain("https://attacker.example/v1");
  // The real Ben, with the token the bootstrap admin issued him, is not mallory: what mallory-as-Ann proposed gets a real review.
  const price = await propose(asAnn, [{ op: "price.set", price: { provider: "openai", model: "reviewed", inputUsdPerMillion: 0, outputUsdPerMillion: 0 } }]);
  expect(await approved(ben.client, price)).toBe("applied");
});

test("nor through two principals of its own making", async () => {
  const pat = await principalWith(mallory.client, t.cp.url, "puppet-pat", [{ role: "approver" }]);
  const quinn = await principalWith(mallory.client, t.cp.url, "puppet-quinn", [{ role: "approver" }]);
  const id = await propose(pat.client, reroute(s.euDeploymentId, "puppets.example"));
  expect(await errorCode(quinn.client.request(APPROVE, { id }))).toBe("SELF_APPROVAL");
  expect(await statusOf(t.admin, id)).toBe("pending");
});

test("two approvers set up by the bootstrap token still review each other, both ways", async () => {
  const ann = await principalWith(t.admin, t.cp.url, "ann-2", [{ role: "approver" }]);
  const ben = await principalWith(t.admin, t.cp.url, "ben-2", [{ role: "approver" }]);
  const price = (m: string) => [{ op: "price.set", price: { provider: "openai", model: m, inputUsdPerMillion: 0, outputUsdPerMillion: 0 } }];
  expect(await approved(ben.client, await propose(ann.client, price("ann-m")))).toBe("applied");
  expect(await approved(ann.client, await propose(ben.client, price("ben-m")))).toBe("applied");
});

test("REQUIRED_APPROVALS=2: approvals with tokens one admin issued are one person's", async () => {
  let t2: TestControlPlane | undefined;
  try {
    t2 = await startTestControlPlane({ requiredApprovals: 2 });
    const s2 = await seedConfig(t2.admin);
    const eve = await principalWith(t2.admin, t2.cp.url, "eve", [{ role: "admin" }]);
    const [author, p1, p2, hal] = await Promise.all(["author", "p1", "p2", "hal"].map((n) => principalWith(t2!.admin, t2!.cp.url, n, [{ role: "approver" }])));
    const asP1 = await tokenFrom(eve.client, t2.cp.url, p1!.id);
    const asP2 = await tokenFrom(eve.client, t2.cp.url, p2!.id);
    // Three tokens of eve's making are one person: proposing as one and approving as the others is her own approval.
    const own = await propose(await tokenFrom(eve.client, t2.cp.url, author!.id), reroute(s2.euDeploymentId));
    expect(await errorCode(asP1.request(APPROVE, { id: own }))).toBe("SELF_APPROVAL");
    // A real author: eve-as-p1 approves once, eve-as-p2 is her second approval.
    const id = await propose(author!.client, reroute(s2.euDeploymentId, "reviewed.example"));
    expect(await approved(asP1, id)).toBe("pending");
    expect(await errorCode(asP2.request(APPROVE, { id }))).toBe("CONFLICT");
    expect(await statusOf(t2.admin, id)).toBe("pending");
    // A second real person completes the review.
    expect(await approved(hal!.client, id)).toBe("applied");
  } finally {
    await t2?.close();
  }
}, 60_000);
