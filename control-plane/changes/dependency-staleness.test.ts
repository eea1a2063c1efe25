/**
 * Staleness follows dependencies: a request routing an alias to deployment X goes stale when another
 * request disables X first (X is not its target, but it depends on it), and the apply transaction
 * refuses such writes on its own (brokenDependencies), not only through the stale marking.
 */
import { beforeAll, expect, test } from "bun:test";
import { errorCode, twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { brokenDependencies, type PolicyState } from "./policy-state.ts";

const t = useTestControlPlane();
let s: Seeded;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  ({ ann, ben } = await twoApprovers(t.admin, t.cp.url));
});

const propose = async (operations: unknown[]) =>
  (await ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "t", operations } })).proposeChange.id;
const approve = (id: string) => ben.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id });

test("alias.update chat→[X] goes stale once deployment.disable X applies; the alias keeps its chain", async () => {
  // Priced, so routing to it is allowed (changes/unpriced-routes.ts).
  await t.admin.request(`mutation { setPrice(input: { provider: "openai", model: "mx", inputUsdPerMillion: 1, outputUsdPerMillion: 1 }) { model } }`);
  const { createDeployment } = await t.admin.request<{ createDeployment: { id: string } }>(
    `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`,
    { i: { provider: "openai", baseUrl: "https://x.example/v1", model: "mx", region: "eu", credentialRef: "env:GW_CRED_X" } },
  );
  const depX = createDeployment.id;
  const route = await propose([{ op: "alias.update", alias: { name: "chat", deploymentIds: [depX] } }]);
  const disable = await propose([{ op: "deployment.disable", id: depX }]);
  expect((await approve(disable)).approveChange.status).toBe("applied");
  const { changeRequest } = await t.admin.request<{ changeRequest: { status: string; reason: string } }>(`query($id: ID!) { changeRequest(id: $id) { status reason } }`, { id: route });
  expect(changeRequest.status).toBe("stale");
  expect(await errorCode(approve(route))).toBe("CONFLICT");
  const { aliases } = await t.admin.request<{ aliases: { items: { name: string; deploymentIds: string[] }[] } }>(`{ aliases { items { name deploymentIds } } }`);
  expect(aliases.items.find((a) => a.name === "chat")!.deploymentIds).not.toContain(depX);
});

test("brokenDependencies: newly named deployments must be active after the writes; ones already in the chain may be disabled", () => {
  const dep = (status: "active" | "disabled") => ({ provider: "openai", baseUrl: "https://x/v1", model: "m", region: "eu", credentialRef: "env:K", jurisdiction: null, flags: [], status });
  const state: PolicyState = { alias: { chat: { deploymentIds: ["dep_a"] } }, deployment: { dep_a: dep("disabled"), dep_b: dep("disabled"), dep_c: dep("active") }, price: {}, tenantPolicy: {} };
  const base = [{ entity: "alias" as const, id: "chat", value: { deploymentIds: ["dep_a"] } }];
  const write = (ids: string[]) => [{ entity: "alias" as const, id: "chat", value: { deploymentIds: ids } }];
  expect(brokenDependencies(write(["dep_a", "dep_c"]), base, state)).toEqual([]);
  expect(brokenDependencies(write(["dep_b"]), base, state)).toEqual(["alias chat names deployment dep_b, which is disabled"]);
  expect(brokenDependencies(write(["dep_zz"]), base, state)).toEqual(["alias chat names deployment dep_zz, which is gone"]);
  // The same request enabling dep_b makes it fine.
  expect(brokenDependencies([{ entity: "deployment", id: "dep_b", value: dep("active") }, ...write(["dep_b"])], base, state)).toEqual([]);
});
