/**
 * A provider kill switch makes stale the open requests that would send traffic to that provider again:
 * besides those re-activating its existing deployments (stale-reenables.ts), one that creates a new
 * active deployment of it, or switches another deployment to it. Requests for other providers stay
 * open. (review ry Y4)
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { seedConfig } from "../testing/seed.ts";
import { twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let ann: ActingPrincipal, ben: ActingPrincipal;
let db: postgres.Sql;
beforeAll(async () => {
  await seedConfig(t.admin);
  ({ ann, ben } = await twoApprovers(t.admin, t.cp.url));
  db = t.openSql();
});

const propose = async (description: string, operations: unknown[]) =>
  (await ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description, operations } })).proposeChange.id;
const approve = (id: string) =>
  ben.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id }).then((r) => r.approveChange.status, (e) => `error:${e.code}`);
const statusOf = async (id: string) => (await db<{ status: string; reason: string | null }[]>`select status, reason from change_requests where id = ${id}`)[0]!;

test("a pending request that adds an active deployment of a killed provider goes stale with the kill", async () => {
  const { createDeployment: other } = await t.admin.request<{ createDeployment: { id: string } }>(
    `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`,
    { i: { provider: "anthropic", baseUrl: "https://anthropic.vendor.example", model: "claude-x", region: "eu", credentialRef: "env:ANTHROPIC_KEY" } },
  );
  const create = await propose("a second openai deployment in eu", [
    { op: "deployment.create", deployment: { provider: "openai", baseUrl: "https://eu2.vendor.example/v1", model: "gpt-4o", region: "eu", credentialRef: "env:OPENAI_EU_KEY" } },
  ]);
  const switched = await propose("the anthropic deployment to openai", [
    { op: "deployment.update", id: other.id, deployment: { provider: "openai", baseUrl: "https://eu3.vendor.example/v1", model: "gpt-4o" } },
  ]);
  const unrelated = await propose("a second anthropic deployment", [
    { op: "deployment.create", deployment: { provider: "anthropic", baseUrl: "https://anthropic2.vendor.example", model: "claude-x", region: "us", credentialRef: "env:ANTHROPIC_KEY" } },
  ]);
  await t.admin.request(`mutation { killSwitch(reason: "openai incident", target: { kind: "provider", id: "openai" }) { affected } }`);
  expect((await statusOf(create)).status).toBe("stale");
  expect((await statusOf(create)).reason).toContain("provider openai (deployment dep_");
  expect((await statusOf(switched)).reason).toContain(`provider openai (deployment ${other.id})`);
  expect((await statusOf(unrelated)).status).toBe("pending");
  expect(await approve(create)).toBe("error:CONFLICT");
  expect(await approve(switched)).toBe("error:CONFLICT");
  const active = await db`select id from deployments where provider = 'openai' and status = 'active'`;
  expect(active.length).toBe(0);
  expect(await approve(unrelated)).toBe("applied");
});
