/**
 * A request that puts deployment X into a chain is reviewed with X as it was. If X was redefined before
 * the approval (another vendor URL, another region and jurisdiction, another credential), the approval
 * still applied the request: the chain routed to something nobody reviewed in it; only a disabled or
 * missing X made the request stale. The proposal now records X's value (a dependency base) and any
 * change of it, whatever field, makes the request stale.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { errorCode, principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { brokenDependencies, dependencyBases, type DeploymentValue, type EntityWrite, type PolicyState } from "./policy-state.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

let t: TestControlPlane;
let seeded: Seeded;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
let cat: ActingPrincipal;
let x: string;
beforeAll(async () => {
  t = await startTestControlPlane();
  seeded = await seedConfig(t.admin);
  ann = await principalWith(t.admin, t.cp.url, "ann", [{ role: "approver" }]);
  ben = await principalWith(t.admin, t.cp.url, "ben", [{ role: "approver" }]);
  cat = await principalWith(t.admin, t.cp.url, "cat", [{ role: "approver" }]);
  x = (
    await t.admin.request<{ createDeployment: { id: string } }>(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, {
      i: { provider: "openai", baseUrl: "https://eu2.vendor.example/v1", model: "gpt-4o", region: "eu", jurisdiction: "eu", credentialRef: "env:EU2" },
    })
  ).createDeployment.id;
}, 30_000);
afterAll(async () => {
  await t.close();
});

const propose = async (who: ActingPrincipal, operations: unknown[]) =>
  (await who.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "t", operations } })).proposeChange.id;
const APPROVE = `mutation($id: ID!) { approveChange(id: $id) { status } }`;

test("a request adding X to a chain goes stale when X is redefined before it is approved", async () => {
  const addX = await propose(ann, [{ op: "alias.update", alias: { name: "chat", deploymentIds: [seeded.euDeploymentId, x] } }]);
  // Meanwhile X is repointed to another vendor host in the US (its own reviewed change).
  const moveX = await propose(ben, [{ op: "deployment.update", id: x, deployment: { baseUrl: "https://elsewhere.example/v1", region: "us", jurisdiction: "us", credentialRef: "env:OTHER" } }]);
  expect((await cat.client.request<any>(APPROVE, { id: moveX })).approveChange.status).toBe("applied");
  // The approval of the chain change was reviewed against the EU X; expected CONFLICT (stale).
  expect(await errorCode(cat.client.request(APPROVE, { id: addX })).catch(() => "applied")).toBe("CONFLICT");
});

const createX = async (name: string) =>
  (
    await t.admin.request<{ createDeployment: { id: string } }>(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, {
      i: { provider: "openai", baseUrl: `https://${name}.vendor.example/v1`, model: "gpt-4o", region: "eu", jurisdiction: "eu", credentialRef: "env:EU2" },
    })
  ).createDeployment.id;
const status = async (id: string) =>
  (await t.admin.request<{ changeRequest: { status: string; reason: string | null } }>(`query($id: ID!) { changeRequest(id: $id) { status reason } }`, { id })).changeRequest;

test("the redefinition marks the pending request stale with a reason naming the deployment; the chain is unchanged", async () => {
  const y = await createX("y");
  const addY = await propose(ann, [{ op: "alias.update", alias: { name: "chat", deploymentIds: [seeded.euDeploymentId, y] } }]);
  const moveY = await propose(ben, [{ op: "deployment.update", id: y, deployment: { region: "us", jurisdiction: "us" } }]);
  expect((await cat.client.request<any>(APPROVE, { id: moveY })).approveChange.status).toBe("applied");
  expect(await status(addY)).toEqual({ status: "stale", reason: expect.stringContaining(`deployment ${y}, which was redefined`) });
  const { aliases } = await t.admin.request<{ aliases: { items: { name: string; deploymentIds: string[] }[] } }>(`{ aliases { items { name deploymentIds } } }`);
  expect(aliases.items.find((a) => a.name === "chat")!.deploymentIds).not.toContain(y);
});

test("any change of the deployment counts, an apparently harmless one (its timeouts) too; an untouched one still applies", async () => {
  const z = await createX("z");
  const w = await createX("w");
  const addZ = await propose(ann, [{ op: "alias.update", alias: { name: "chat", deploymentIds: [seeded.euDeploymentId, z] } }]);
  const tuneZ = await propose(ben, [{ op: "deployment.update", id: z, deployment: { timeouts: { firstByteMs: 5000 } } }]);
  expect((await cat.client.request<any>(APPROVE, { id: tuneZ })).approveChange.status).toBe("applied");
  expect(await errorCode(cat.client.request(APPROVE, { id: addZ }))).toBe("CONFLICT");
  // Another deployment's change does not touch a request that does not route to it.
  const addW = await propose(ann, [{ op: "alias.update", alias: { name: "chat", deploymentIds: [seeded.euDeploymentId, w] } }]);
  const tuneZAgain = await propose(ben, [{ op: "deployment.update", id: z, deployment: { timeouts: { firstByteMs: 6000 } } }]);
  expect((await cat.client.request<any>(APPROVE, { id: tuneZAgain })).approveChange.status).toBe("applied");
  expect((await cat.client.request<any>(APPROVE, { id: addW })).approveChange.status).toBe("applied");
});

test("dependencyBases and brokenDependencies: recorded for newly named deployments the request does not write; compared whole", () => {
  const dep = (over: Partial<DeploymentValue> = {}): DeploymentValue => ({ provider: "openai", baseUrl: "https://x/v1", model: "m", region: "eu", credentialRef: "env:K", jurisdiction: "eu", flags: [], status: "active", ...over });
  const state: PolicyState = { alias: { chat: { deploymentIds: ["dep_a"] } }, deployment: { dep_a: dep(), dep_b: dep(), dep_c: dep() }, price: {}, tenantPolicy: {} };
  const aliasBase: EntityWrite = { entity: "alias", id: "chat", value: { deploymentIds: ["dep_a"] } };
  const writes: EntityWrite[] = [
    { entity: "deployment", id: "dep_c", value: dep({ model: "m2" }) as never },
    { entity: "alias", id: "chat", value: { deploymentIds: ["dep_a", "dep_b", "dep_c"] } },
  ];
  const deps = dependencyBases(writes, [aliasBase], state);
  // dep_a was in the chain already, dep_c is the request's own target: only dep_b is a dependency.
  expect(deps).toEqual([{ entity: "deployment", id: "dep_b", value: dep() as never, dependency: true }]);
  const bases = [aliasBase, { entity: "deployment" as const, id: "dep_c", value: dep() as never }, ...deps];
  expect(brokenDependencies(writes, bases, state)).toEqual([]);
  const moved = (over: Partial<DeploymentValue>): PolicyState => ({ ...state, deployment: { ...state.deployment, dep_b: dep(over) } });
  for (const over of [{ baseUrl: "https://y/v1" }, { region: "us" }, { jurisdiction: null }, { credentialRef: "env:O" }, { flags: ["zdr"] }, { timeouts: { totalMs: 1 } }]) {
    expect(brokenDependencies(writes, bases, moved(over))).toEqual(["alias chat names deployment dep_b, which was redefined since the request was proposed"]);
  }
  expect(brokenDependencies(writes, bases, moved({ status: "disabled" }))).toEqual(["alias chat names deployment dep_b, which is disabled"]);
  // A request stored before dependency bases were recorded is held to disabled or gone only.
  expect(brokenDependencies(writes, bases.slice(0, 2), moved({ region: "us" }))).toEqual([]);
});
