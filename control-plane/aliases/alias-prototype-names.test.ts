/**
 * createAlias and updateAlias take `constructor` like any other name (ALIAS_NAME_PATTERN accepts it).
 * Before, the policy state was read into plain objects, so the alias `constructor` found
 * Object.prototype.constructor and every config change after creating it failed with
 * INTERNAL_SERVER_ERROR (a TypeError while loading the policy state).
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

const aliases = async () =>
  (await t.admin.request<{ aliases: { items: { name: string; deploymentIds: string[] }[] } }>(`{ aliases { items { name deploymentIds } } }`)).aliases.items;

test("an alias named constructor is created and updated directly, and later config changes still work", async () => {
  // Updating it before it exists is NOT_FOUND.
  expect(await errorCode(t.admin.request(`mutation($i: AliasInput!) { updateAlias(input: $i) { name } }`, { i: { name: "constructor", deploymentIds: [s.euDeploymentId] } }))).toBe(
    "NOT_FOUND",
  );
  await t.admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: "constructor", deploymentIds: [s.euDeploymentId] } });
  await t.admin.request(`mutation($i: AliasInput!) { updateAlias(input: $i) { name } }`, { i: { name: "constructor", deploymentIds: [s.usDeploymentId, s.euDeploymentId] } });
  await t.admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: "tostring", deploymentIds: [s.euDeploymentId] } });
  expect(await aliases()).toEqual([
    { name: "chat", deploymentIds: [s.euDeploymentId, s.usDeploymentId] },
    { name: "constructor", deploymentIds: [s.usDeploymentId, s.euDeploymentId] },
    { name: "tostring", deploymentIds: [s.euDeploymentId] },
  ]);
  expect(t.logs.filter((l) => /TypeError/.test(l))).toEqual([]);
});
