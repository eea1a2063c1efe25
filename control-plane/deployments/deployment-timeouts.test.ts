/**
 * A deployment's own vendor timeouts (README: "a deployment may set its own (`timeouts`)"): set on
 * createDeployment and through routing-change proposals, stored, returned by the Deployment type, and
 * published in the region's snapshot in the shape the proxy reads (shared/snapshot/schema.ts).
 */
import { beforeAll, expect, test } from "bun:test";
import { SNAPSHOT_PATH_PREFIX, JWKS_PATH } from "../../shared/internal-api.ts";
import { importTrustedKeys, verifySnapshot } from "../../shared/snapshot/verify.ts";
import { errorCode, twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { AdminApiError } from "../../infra/local/admin-client.ts";

const t = useTestControlPlane();
let euToken: string;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
beforeAll(async () => {
  euToken = (await t.admin.request<any>(`mutation { createRegion(input: { name: "eu" }) { token } }`)).createRegion.token;
  ({ ann, ben } = await twoApprovers(t.admin, t.cp.url));
});

const base = { provider: "gemini", baseUrl: "https://generativelanguage.googleapis.com", model: "gemini-2.5-pro", region: "eu", credentialRef: "env:GW_CRED_GEMINI" };
const FIELDS = `id timeouts { connectMs firstByteMs totalMs }`;

const create = async (over: Record<string, unknown>) =>
  (await t.admin.request<any>(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { ${FIELDS} } }`, { i: { ...base, ...over } })).createDeployment;

async function refusal(request: Promise<unknown>): Promise<{ code: string | null; message: string }> {
  try {
    await request;
  } catch (error) {
    if (error instanceof AdminApiError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected a refusal");
}

/** Proposed by ann and approved by ben: applied at once under the default of one approval. */
async function applied(operations: unknown[]): Promise<string> {
  const { proposeChange } = await ann.client.request<any>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "timeouts", operations } });
  return (await ben.client.request<any>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: proposeChange.id })).approveChange.status;
}

async function publishedDeployment(id: string) {
  const response = await fetch(new URL(SNAPSHOT_PATH_PREFIX + "eu", t.cp.url), { headers: { authorization: `Bearer ${euToken}` } });
  expect(response.status).toBe(200);
  const jwks = await (await fetch(new URL(JWKS_PATH, t.cp.url))).json();
  const verdict = await verifySnapshot(await response.text(), await importTrustedKeys(jwks), "eu");
  if (!verdict.ok) throw new Error(`snapshot rejected: ${verdict.reason}`);
  return verdict.snapshot.deployments[id];
}

const listed = async (id: string) =>
  (await t.admin.request<any>(`{ deployments(first: 100) { items { ${FIELDS} } } }`)).deployments.items.find((d: { id: string }) => d.id === id);

test("createDeployment takes timeouts, returns them, lists them and publishes them in the snapshot", async () => {
  const dep = await create({ timeouts: { firstByteMs: 60_000, totalMs: 300_000 } });
  expect(dep.timeouts).toEqual({ connectMs: null, firstByteMs: 60_000, totalMs: 300_000 });
  expect((await listed(dep.id)).timeouts).toEqual({ connectMs: null, firstByteMs: 60_000, totalMs: 300_000 });
  // Only the fields set: an absent field is the proxy's default.
  expect((await publishedDeployment(dep.id))?.timeouts).toEqual({ firstByteMs: 60_000, totalMs: 300_000 });
});

test("a deployment without timeouts returns null and publishes none", async () => {
  const dep = await create({});
  expect(dep.timeouts).toBeNull();
  const published = await publishedDeployment(dep.id);
  expect(published).toBeDefined();
  expect(published).not.toHaveProperty("timeouts");
  expect((await create({ timeouts: {} })).timeouts).toBeNull();
});

test("timeouts out of bounds are BAD_USER_INPUT naming the field", async () => {
  const refused = (timeouts: Record<string, unknown>) => refusal(create({ timeouts }));
  for (const [timeouts, field] of [
    [{ connectMs: 0 }, "timeouts.connectMs"],
    [{ connectMs: 60_001 }, "timeouts.connectMs"],
    [{ firstByteMs: -1 }, "timeouts.firstByteMs"],
    [{ firstByteMs: 600_001 }, "timeouts.firstByteMs"],
    [{ totalMs: 3_600_001 }, "timeouts.totalMs"],
    [{ totalMs: 0 }, "timeouts.totalMs"],
    [{ firstByteMs: 60_000, totalMs: 30_000 }, "timeouts.firstByteMs"],
  ] as const) {
    const { code, message } = await refused(timeouts);
    expect({ timeouts, code, message }).toEqual({ timeouts, code: "BAD_USER_INPUT", message: expect.stringContaining(field) });
  }
  // The bounds themselves are accepted.
  expect((await create({ timeouts: { connectMs: 60_000, firstByteMs: 600_000, totalMs: 3_600_000 } })).timeouts).toEqual({ connectMs: 60_000, firstByteMs: 600_000, totalMs: 3_600_000 });
});

test("a routing-change proposal sets, merges and clears a deployment's timeouts once approved, and publishes them", async () => {
  const dep = await create({ timeouts: { connectMs: 5_000, firstByteMs: 60_000 } });
  const update = (timeouts: unknown) => applied([{ op: "deployment.update", id: dep.id, deployment: { timeouts } }]);
  // A field left out keeps its value; a field set replaces it.
  expect(await update({ totalMs: 300_000 })).toBe("applied");
  expect((await listed(dep.id)).timeouts).toEqual({ connectMs: 5_000, firstByteMs: 60_000, totalMs: 300_000 });
  expect((await publishedDeployment(dep.id))?.timeouts).toEqual({ connectMs: 5_000, firstByteMs: 60_000, totalMs: 300_000 });
  // A field set to null goes back to the proxy's default.
  expect(await update({ connectMs: null })).toBe("applied");
  expect((await publishedDeployment(dep.id))?.timeouts).toEqual({ firstByteMs: 60_000, totalMs: 300_000 });
  // timeouts: null clears them all.
  expect(await update(null)).toBe("applied");
  expect((await listed(dep.id)).timeouts).toBeNull();
  expect(await publishedDeployment(dep.id)).not.toHaveProperty("timeouts");
});

test("a proposal's diff shows the timeouts change, and a proposal's deployment.create takes timeouts", async () => {
  const dep = await create({});
  const { proposeChange } = await ann.client.request<any>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id diff { entity id field before after } } }`, {
    i: { description: "thinking model", operations: [{ op: "deployment.update", id: dep.id, deployment: { timeouts: { firstByteMs: 120_000 } } }] },
  });
  expect(proposeChange.diff).toEqual([{ entity: "deployment", id: dep.id, field: "timeouts", before: null, after: { firstByteMs: 120_000 } }]);
  await ann.client.request(`mutation($id: ID!) { withdrawChange(id: $id) { status } }`, { id: proposeChange.id });

  expect(await applied([{ op: "deployment.create", deployment: { ...base, model: "via-proposal", timeouts: { totalMs: 900_000 } } }])).toBe("applied");
  const created = (await t.admin.request<any>(`{ deployments(first: 100) { items { model ${FIELDS} } } }`)).deployments.items.find((d: { model: string }) => d.model === "via-proposal");
  expect(created.timeouts).toEqual({ connectMs: null, firstByteMs: null, totalMs: 900_000 });
  expect((await publishedDeployment(created.id))?.timeouts).toEqual({ totalMs: 900_000 });
});

test("a proposal with bad timeouts is BAD_USER_INPUT naming the field, checked on the merged value", async () => {
  const dep = await create({ timeouts: { totalMs: 60_000 } });
  const propose = (timeouts: unknown) =>
    ann.client.request(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
      i: { description: "bad", operations: [{ op: "deployment.update", id: dep.id, deployment: { timeouts } }] },
    });
  expect(await refusal(propose({ totalMs: 3_600_001 }))).toEqual({ code: "BAD_USER_INPUT", message: expect.stringContaining("operations[0].deployment.timeouts.totalMs") });
  // firstByteMs above the totalMs the deployment already has.
  expect(await refusal(propose({ firstByteMs: 120_000 }))).toEqual({ code: "BAD_USER_INPUT", message: expect.stringContaining("operations[0].deployment.timeouts.firstByteMs") });
  expect(await errorCode(propose({ connectMs: 0 }))).toBe("BAD_USER_INPUT");
});

test("a rollback to a version before the timeouts were set clears them; one after restores them", async () => {
  const dep = await create({});
  const before = (await t.admin.request<any>(`{ configVersion }`)).configVersion;
  expect(await applied([{ op: "deployment.update", id: dep.id, deployment: { timeouts: { totalMs: 400_000 } } }])).toBe("applied");
  const withTimeouts = (await t.admin.request<any>(`{ configVersion }`)).configVersion;
  const rollBack = async (toVersion: number) => {
    const { proposeRollback } = await ann.client.request<any>(`mutation($v: Int!) { proposeRollback(toVersion: $v) { id diff { id field } } }`, { v: toVersion });
    expect(proposeRollback.diff).toContainEqual({ id: dep.id, field: "timeouts" });
    return (await ben.client.request<any>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: proposeRollback.id })).approveChange.status;
  };
  expect(await rollBack(before)).toBe("applied");
  expect((await listed(dep.id)).timeouts).toBeNull();
  expect(await rollBack(withTimeouts)).toBe("applied");
  expect((await publishedDeployment(dep.id))?.timeouts).toEqual({ totalMs: 400_000 });
});
