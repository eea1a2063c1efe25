/**
 * List filters with a closed set of values refuse any other (review rj J4): tenants(kind: "teams"),
 * deployments(status: "enabled") and deployments(provider: "OpenAI") answered an empty page, and
 * deployments(status: "") no filter at all, where keys(status:) already answered BAD_USER_INPUT, so a
 * script asking "which deployments are active?" was told none.
 */
import { beforeAll, expect, test } from "bun:test";
import { errorCode } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let s: Seeded;
beforeAll(async () => {
  s = await seedConfig(t.admin);
});

const tenants = `query($k: String) { tenants(kind: $k) { items { id } } }`;
const deployments = `query($s: String, $p: String) { deployments(status: $s, provider: $p) { items { id } } }`;

test("a value outside the closed set is BAD_USER_INPUT naming the filter, not an empty page", async () => {
  for (const kind of ["teams", "Team", ""]) expect([kind, await errorCode(t.admin.request(tenants, { k: kind }))]).toEqual([kind, "BAD_USER_INPUT"]);
  for (const status of ["enabled", "Active", ""]) expect([status, await errorCode(t.admin.request(deployments, { s: status }))]).toEqual([status, "BAD_USER_INPUT"]);
  for (const provider of ["OpenAI", "bedrock", ""]) expect([provider, await errorCode(t.admin.request(deployments, { p: provider }))]).toEqual([provider, "BAD_USER_INPUT"]);
  await expect(t.admin.request(tenants, { k: "teams" })).rejects.toThrow(/^kind: must be one of organization, team, project/);
  await expect(t.admin.request(deployments, { s: "enabled" })).rejects.toThrow(/^status: must be one of active, disabled/);
  await expect(t.admin.request(deployments, { p: "OpenAI" })).rejects.toThrow(/^provider: must be one of openai, azure, anthropic, gemini/);
});

test("each known value, and none, still filters", async () => {
  const ids = async (query: string, variables: Record<string, unknown>) => (Object.values(await t.admin.request<any>(query, variables))[0] as any).items.map((i: { id: string }) => i.id);
  expect(await ids(tenants, { k: "organization" })).toEqual([s.tenantId]);
  expect(await ids(tenants, { k: "team" })).toEqual([]);
  expect(await ids(tenants, { k: null })).toEqual([s.tenantId]);
  expect((await ids(deployments, { s: "active", p: "openai" })).sort()).toEqual([s.euDeploymentId, s.usDeploymentId].sort());
  expect(await ids(deployments, { s: "disabled" })).toEqual([]);
  expect(await ids(deployments, { p: "gemini" })).toEqual([]);
});
