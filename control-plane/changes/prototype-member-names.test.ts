/**
 * Aliases and feature limits are named by the caller, and names such as `constructor`, `toString`,
 * `valueOf` and `hasOwnProperty` are as good as any: the policy state's tables hold only what was put
 * in them. Before, they were plain objects whose lookups also saw Object.prototype's members, so an
 * alias `constructor` "already existed" before it was created (and could not be created at all),
 * deleting it changed nothing, updating it was proposed against a phantom and went stale, and a feature
 * limit for `toString` was "listed twice".
 */
import { beforeAll, expect, test } from "bun:test";
import { errorCode, twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let s: Seeded;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  ({ ann, ben } = await twoApprovers(t.admin, t.cp.url));
});

interface Proposed {
  id: string;
  status: string;
  diff: { entity: string; id: string; field: string; before: unknown; after: unknown }[];
}
const propose = async (operations: unknown[]) =>
  (
    await ann.client.request<{ proposeChange: Proposed }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id status diff { entity id field before after } } }`, {
      i: { description: "t", operations },
    })
  ).proposeChange;
const approve = async (id: string) =>
  (await ben.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id })).approveChange.status;
async function euSnapshot(): Promise<any> {
  const r = await fetch(new URL("/internal/v1/snapshots/eu", t.cp.url), { headers: { authorization: `Bearer ${s.euToken}` } });
  return JSON.parse(Buffer.from((await r.text()).split(".")[1]!, "base64url").toString());
}
const aliasNames = async () => (await t.admin.request<{ aliases: { items: { name: string }[] } }>(`{ aliases { items { name } } }`)).aliases.items.map((a) => a.name);

test("an alias named constructor is created, updated and deleted through reviewed change requests", async () => {
  // Not there yet: updating or deleting it is NOT_FOUND, not a change against Object.prototype.constructor.
  expect(await errorCode(propose([{ op: "alias.update", alias: { name: "constructor", deploymentIds: [s.euDeploymentId] } }]))).toBe("NOT_FOUND");
  expect(await errorCode(propose([{ op: "alias.delete", id: "constructor" }]))).toBe("NOT_FOUND");
  expect(await errorCode(propose([{ op: "alias.delete", id: "toString" }]))).toBe("NOT_FOUND");

  const create = await propose([{ op: "alias.create", alias: { name: "constructor", deploymentIds: [s.euDeploymentId] } }]);
  expect(create.diff).toEqual([{ entity: "alias", id: "constructor", field: "deploymentIds", before: null, after: [s.euDeploymentId] }]);
  expect(await approve(create.id)).toBe("applied");
  expect((await euSnapshot()).aliases.constructor).toEqual({ name: "constructor", chain: [s.euDeploymentId] });
  expect(await errorCode(propose([{ op: "alias.create", alias: { name: "constructor", deploymentIds: [s.euDeploymentId] } }]))).toBe("CONFLICT");

  const update = await propose([{ op: "alias.update", alias: { name: "constructor", deploymentIds: [s.usDeploymentId, s.euDeploymentId] } }]);
  expect(update.diff).toEqual([
    { entity: "alias", id: "constructor", field: "deploymentIds", before: [s.euDeploymentId], after: [s.usDeploymentId, s.euDeploymentId] },
  ]);
  expect(await approve(update.id)).toBe("applied");

  const remove = await propose([{ op: "alias.delete", id: "constructor" }]);
  expect(remove.diff).toEqual([{ entity: "alias", id: "constructor", field: "deploymentIds", before: [s.usDeploymentId, s.euDeploymentId], after: null }]);
  expect(await approve(remove.id)).toBe("applied");
  expect(await aliasNames()).toEqual(["chat"]);
  expect(Object.hasOwn((await euSnapshot()).aliases, "constructor")).toBe(false);
});

test("deployment ids named like Object.prototype members are NOT_FOUND, in a chain or as a target", async () => {
  for (const id of ["constructor", "toString"]) {
    expect(await errorCode(propose([{ op: "alias.create", alias: { name: "fresh", deploymentIds: [id] } }]))).toBe("NOT_FOUND");
    for (const op of ["deployment.disable", "deployment.enable", "deployment.update"]) expect(await errorCode(propose([{ op, id, deployment: { model: "m" } }]))).toBe("NOT_FOUND");
  }
});

const PROTOTYPE_NAMES = ["toString", "valueOf", "hasOwnProperty", "constructor"];

test("feature limits for toString, valueOf, hasOwnProperty and constructor are set and published", async () => {
  const featureLimits = PROTOTYPE_NAMES.map((feature, i) => ({ feature, rpm: 10 + i }));
  const change = await propose([{ op: "tenant.policy", id: s.tenantId, tenantPolicy: { featureLimits } }]);
  expect(change.diff).toHaveLength(1);
  expect(await approve(change.id)).toBe("applied");
  const published = (await euSnapshot()).tenants[s.tenantId].featureLimits;
  expect(published).toEqual(Object.fromEntries(PROTOTYPE_NAMES.map((feature, i) => [feature, { rpm: 10 + i, tpm: null }])));
  const { tenant } = await t.admin.request<{ tenant: { featureLimits: { feature: string; rpm: number }[] } }>(`query($id: ID!) { tenant(id: $id) { featureLimits { feature rpm } } }`, {
    id: s.tenantId,
  });
  expect(tenant.featureLimits.map((f) => f.feature).sort()).toEqual([...PROTOTYPE_NAMES].sort());
  // A name really listed twice is still refused.
  const twice = await ann.client
    .request(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
      i: { description: "t", operations: [{ op: "tenant.policy", id: s.tenantId, tenantPolicy: { featureLimits: [{ feature: "toString", rpm: 1 }, { feature: "toString", rpm: 2 }] } }] },
    })
    .catch((e: { code?: string; message: string }) => e);
  expect(twice).toMatchObject({ code: "BAD_USER_INPUT" });
  expect((twice as { message: string }).message).toContain("toString is listed twice");
});
