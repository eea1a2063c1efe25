/**
 * The plaintext-baseUrl rule (deployments/plaintext-base-url.ts) holds whichever way a deployment's
 * baseUrl is written: a proposal's deployment.create or deployment.update, the approval or scheduled
 * apply of a request proposed while a control plane allowed it (ALLOW_PLAINTEXT_VENDOR_URLS=true), and a
 * rollback to a version that had one. A stored plaintext baseUrl kept as it is (a credential rotation)
 * is not judged again. Two control planes share one database here: `t` without the opt-in, `open` with it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { adminClient, type AdminClient } from "../../infra/local/admin-client.ts";
import { changeRequestState } from "../testing/change-requests.ts";
import { twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { argumentRefusals, startTestControlPlane, useTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

let open: TestControlPlane;
// Registered first: runs before `t` drops the database both use.
afterAll(async () => {
  await open?.close();
});
const t = useTestControlPlane();
let ann: ActingPrincipal;
let ben: ActingPrincipal;
let annOpen: AdminClient;
let benOpen: AdminClient;
let adminOpen: AdminClient;
beforeAll(async () => {
  open = await startTestControlPlane({ databaseUrl: t.db.url, dataDir: t.dataDir, adminToken: t.adminToken, allowPlaintextVendorUrls: true });
  ({ ann, ben } = await twoApprovers(t.admin, t.cp.url));
  annOpen = adminClient(open.cp.url, ann.token);
  benOpen = adminClient(open.cp.url, ben.token);
  // The helper hands back its own random token; this control plane runs with t's.
  adminOpen = adminClient(open.cp.url, t.adminToken);
});

const PUBLIC_HTTP = "http://api.openai.com/v1";
const deployment = (baseUrl: string, credentialRef = "env:GW_OPENAI") => ({ provider: "openai", baseUrl, model: "gpt-4o-mini", region: "eu", credentialRef });
const PROPOSE = `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`;
const propose = async (client: AdminClient, operations: unknown[]) => (await client.request<{ proposeChange: { id: string } }>(PROPOSE, { i: { description: "vendor url", operations } })).proposeChange.id;
const approve = (client: AdminClient, id: string) =>
  client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id }).then(
    (r) => r.approveChange.status,
    (e) => e.code as string,
  );
const create = async (admin: AdminClient, baseUrl: string) =>
  (await admin.request<{ createDeployment: { id: string } }>(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, { i: deployment(baseUrl) })).createDeployment.id;
const baseUrlOf = async (id: string) =>
  (await t.admin.request<{ deployments: { items: { id: string; baseUrl: string; credentialRef: string }[] } }>(`{ deployments(first: 500) { items { id baseUrl credentialRef } } }`)).deployments.items.find(
    (d) => d.id === id,
  )!;
const version = async () => (await t.admin.request<{ configVersion: number }>(`{ configVersion }`)).configVersion;

test("a proposal creating or repointing a deployment to a public http:// baseUrl is BAD_USER_INPUT naming that baseUrl", async () => {
  const existing = await create(t.admin, "https://api.openai.com/v1");
  const cases: [string, unknown[]][] = [
    ["operations[0].deployment.baseUrl", [{ op: "deployment.create", deployment: deployment(PUBLIC_HTTP) }]],
    ["operations[0].deployment.baseUrl", [{ op: "deployment.update", id: existing, deployment: { baseUrl: PUBLIC_HTTP } }]],
  ];
  expect(await argumentRefusals(t.cp.url, cases.map(([field, operations]) => [field, ann.token, PROPOSE, { i: { description: "x", operations } }]))).toEqual(
    cases.map(([field]) => [field, 200, "BAD_USER_INPUT", true]),
  );
});

test("a proposal to a private-network http:// baseUrl is accepted and applies", async () => {
  const id = await propose(ann.client, [{ op: "deployment.create", deployment: deployment("http://vllm.inference.svc:8000/v1") }]);
  expect(await approve(ben.client, id)).toBe("applied");
});

test("a stored public http:// baseUrl kept as it is (only its credential rotated) is not judged again", async () => {
  const stored = await create(adminOpen, PUBLIC_HTTP);
  const id = await propose(ann.client, [{ op: "deployment.update", id: stored, deployment: { credentialRef: "env:GW_OPENAI_ROTATED" } }]);
  expect(await approve(ben.client, id)).toBe("applied");
  expect(await baseUrlOf(stored)).toMatchObject({ baseUrl: PUBLIC_HTTP, credentialRef: "env:GW_OPENAI_ROTATED" });
});

test("a request proposed where plaintext was allowed goes stale when approved where it is not; where it is, it applies", async () => {
  const refused = await propose(annOpen, [{ op: "deployment.create", deployment: deployment(PUBLIC_HTTP) }]);
  expect(await approve(ben.client, refused)).toBe("CONFLICT");
  const state = await changeRequestState(t.admin, refused);
  expect(state.status).toBe("stale");
  expect(state.reason).toContain(PUBLIC_HTTP);
  expect(state.reason).toContain("ALLOW_PLAINTEXT_VENDOR_URLS");
  const allowed = await propose(annOpen, [{ op: "deployment.create", deployment: deployment(PUBLIC_HTTP) }]);
  expect(await approve(benOpen, allowed)).toBe("applied");
});

test("a rollback that would put back a public http:// baseUrl is refused at proposal, and goes stale at approval", async () => {
  const dep = await create(adminOpen, "http://vendor.example/v1");
  const before = await version();
  expect(await approve(ben.client, await propose(ann.client, [{ op: "deployment.update", id: dep, deployment: { baseUrl: "https://vendor.example/v1" } }]))).toBe("applied");
  const rollback = `mutation($v: Int!) { proposeRollback(toVersion: $v) { id } }`;
  expect(await argumentRefusals(t.cp.url, [["toVersion", ann.token, rollback, { v: before }]])).toEqual([["toVersion", 200, "BAD_USER_INPUT", true]]);
  const proposedOpen = (await annOpen.request<{ proposeRollback: { id: string } }>(rollback, { v: before })).proposeRollback.id;
  expect(await approve(ben.client, proposedOpen)).toBe("CONFLICT");
  expect((await changeRequestState(t.admin, proposedOpen)).reason).toContain("http://vendor.example/v1");
  expect((await baseUrlOf(dep)).baseUrl).toBe("https://vendor.example/v1");
});
