/**
 * Change request rules with two approvals required: no self-approval, no double approval, stale
 * requests refused, approvals re-checked when applying, reject/withdraw, scheduling, rollback of a
 * deployment creation, kill switches flagged break-glass.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { errorCode, principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

let t: TestControlPlane;
let seeded: Seeded;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
let cat: ActingPrincipal;
beforeAll(async () => {
  t = await startTestControlPlane({ requiredApprovals: 2, changeTickMs: 100 });
  seeded = await seedConfig(t.admin);
  ann = await principalWith(t.admin, t.cp.url, "ann", [{ role: "approver" }]);
  ben = await principalWith(t.admin, t.cp.url, "ben", [{ role: "approver" }]);
  cat = await principalWith(t.admin, t.cp.url, "cat", [{ role: "approver" }]);
});
afterAll(async () => {
  await t.close();
});

const FIELDS = `id status appliedVersion reason approvals { approver } diff { entity id field before after }`;
const propose = async (who: ActingPrincipal, operations: unknown[], applyAt?: string) =>
  (await who.client.request<{ proposeChange: any }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { ${FIELDS} } }`, { i: { description: "test", operations, applyAt } })).proposeChange;
const approve = async (who: ActingPrincipal, id: string) => (await who.client.request<{ approveChange: any }>(`mutation($id: ID!) { approveChange(id: $id) { ${FIELDS} } }`, { id })).approveChange;
const status = async (id: string) => (await t.admin.request<{ changeRequest: any }>(`query($id: ID!) { changeRequest(id: $id) { ${FIELDS} } }`, { id })).changeRequest;
const chain = async (name: string) => (await t.admin.request<{ aliases: { items: { name: string; deploymentIds: string[] }[] } }>(`{ aliases { items { name deploymentIds } } }`)).aliases.items.find((a) => a.name === name)?.deploymentIds;
const aliasOp = (name: string, deploymentIds: string[], op = "alias.update") => ({ op, alias: { name, deploymentIds } });

test("two approvals from people other than the author; a second approval by the same person is CONFLICT", async () => {
  const cr = await propose(ann, [aliasOp("chat", [seeded.usDeploymentId])]);
  expect(await errorCode(ann.client.request(`mutation($id: ID!) { approveChange(id: $id) { id } }`, { id: cr.id }))).toBe("SELF_APPROVAL");
  expect((await approve(ben, cr.id)).status).toBe("pending");
  expect(await errorCode(ben.client.request(`mutation($id: ID!) { approveChange(id: $id) { id } }`, { id: cr.id }))).toBe("CONFLICT");
  expect(await chain("chat")).toEqual([seeded.euDeploymentId, seeded.usDeploymentId]);
  const applied = await approve(cat, cr.id);
  expect(applied.status).toBe("applied");
  expect(applied.approvals.map((a: { approver: string }) => a.approver).sort()).toEqual([ben.id, cat.id].sort());
  expect(await chain("chat")).toEqual([seeded.usDeploymentId]);
});

test("a request whose target changed underneath goes stale and cannot be approved", async () => {
  const first = await propose(ann, [aliasOp("chat", [seeded.euDeploymentId])]);
  const second = await propose(ben, [aliasOp("chat", [seeded.euDeploymentId, seeded.usDeploymentId])]);
  // An unrelated request is not affected by the others.
  const unrelated = await propose(ann, [{ op: "price.set", price: { provider: "openai", model: "gpt-4o", inputUsdPerMillion: 2.5, outputUsdPerMillion: 10 } }]);
  await approve(cat, second.id);
  expect((await approve(ann, second.id)).status).toBe("applied");
  expect((await status(first.id)).status).toBe("stale");
  expect(await errorCode(ben.client.request(`mutation($id: ID!) { approveChange(id: $id) { id } }`, { id: first.id }))).toBe("CONFLICT");
  expect((await status(unrelated.id)).status).toBe("pending");
  // A direct change by the bootstrap admin makes a pending request stale too.
  const third = await propose(ann, [aliasOp("chat", [seeded.usDeploymentId])]);
  await t.admin.request(`mutation($i: AliasInput!) { updateAlias(input: $i) { name } }`, { i: { name: "chat", deploymentIds: [seeded.euDeploymentId] } });
  expect((await status(third.id)).status).toBe("stale");
});

test("approvals are counted as applying counts them: an approver who lost the role no longer counts", async () => {
  const cr = await propose(ann, [aliasOp("chat", [seeded.usDeploymentId, seeded.euDeploymentId])]);
  await approve(ben, cr.id);
  await t.admin.request(`mutation($i: RoleBindingInput!) { revokeRole(input: $i) { id } }`, { i: { principalId: ben.id, role: "approver" } });
  // Cat's approval is recorded; with ben's no longer counting the request waits for another, never left `approved`.
  const after = await approve(cat, cr.id);
  expect(after.status).toBe("pending");
  expect(after.approvals.map((a: { approver: string }) => a.approver).sort()).toEqual([ben.id, cat.id].sort());
  expect(await chain("chat")).toEqual([seeded.euDeploymentId]);
  await t.admin.request(`mutation($i: RoleBindingInput!) { grantRole(input: $i) { id } }`, { i: { principalId: ben.id, role: "approver" } });
  await cat.client.request(`mutation($id: ID!) { rejectChange(id: $id, reason: "test done") { id } }`, { id: cr.id });
});

test("reject and withdraw close a request; only the author withdraws", async () => {
  const a = await propose(ann, [aliasOp("chat", [seeded.usDeploymentId])]);
  await ben.client.request(`mutation($id: ID!) { rejectChange(id: $id, reason: "no") { id } }`, { id: a.id });
  expect(await status(a.id)).toMatchObject({ status: "rejected", reason: "no" });
  // A reason is cut to 1,000 characters between characters, never through an emoji (which PostgreSQL would store as U+FFFD).
  const long = await propose(ann, [aliasOp("chat", [seeded.usDeploymentId])]);
  await ben.client.request(`mutation($id: ID!, $r: String) { rejectChange(id: $id, reason: $r) { id } }`, { id: long.id, r: `${"a".repeat(999)}😀 and more` });
  expect((await status(long.id)).reason).toBe("a".repeat(999));
  expect(await errorCode(cat.client.request(`mutation($id: ID!) { approveChange(id: $id) { id } }`, { id: a.id }))).toBe("CONFLICT");
  const b = await propose(ann, [aliasOp("chat", [seeded.usDeploymentId])]);
  expect(await errorCode(ben.client.request(`mutation($id: ID!) { withdrawChange(id: $id) { id } }`, { id: b.id }))).toBe("FORBIDDEN");
  await ann.client.request(`mutation($id: ID!) { withdrawChange(id: $id) { id } }`, { id: b.id });
  expect((await status(b.id)).status).toBe("withdrawn");
  const { changeRequests } = await t.admin.request<any>(`{ changeRequests(status: "withdrawn") { items { id } } }`);
  expect(changeRequests.items).toEqual([{ id: b.id }]);
});

test("a scheduled request applies when its time comes", async () => {
  // Far enough ahead that proposing and two approvals finish first on a loaded machine (they took over 2 s).
  const applyAt = new Date(Date.now() + 4000).toISOString();
  const cr = await propose(ann, [aliasOp("chat", [seeded.usDeploymentId])], applyAt);
  await approve(ben, cr.id);
  expect((await approve(cat, cr.id)).status).toBe("scheduled");
  expect(await chain("chat")).toEqual([seeded.euDeploymentId]);
  const deadline = Date.now() + 10_000;
  while ((await status(cr.id)).status !== "applied" && Date.now() < deadline) await Bun.sleep(100);
  expect((await status(cr.id)).status).toBe("applied");
  expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(applyAt));
  expect(await chain("chat")).toEqual([seeded.usDeploymentId]);
}, 20_000);

test("a rollback disables a deployment created since, and its diff shows it", async () => {
  const { configVersion } = await t.admin.request<{ configVersion: number }>(`{ configVersion }`);
  const cr = await propose(ann, [
    { op: "deployment.create", deployment: { provider: "openai", baseUrl: "https://eu3.example/v1", model: "m3", region: "eu", credentialRef: "env:K3", jurisdiction: "eu", flags: ["baa"] } },
  ]);
  const depId = cr.diff[0].id;
  await approve(ben, cr.id);
  await approve(cat, cr.id);
  const { deployments } = await t.admin.request<any>(`{ deployments { items { id status jurisdiction flags } } }`);
  expect(deployments.items.find((d: { id: string }) => d.id === depId)).toEqual({ id: depId, status: "active", jurisdiction: "eu", flags: ["baa"] });
  const { proposeRollback } = await ann.client.request<any>(`mutation($v: Int!) { proposeRollback(toVersion: $v) { ${FIELDS} } }`, { v: configVersion });
  expect(proposeRollback.diff).toEqual([{ entity: "deployment", id: depId, field: "status", before: "active", after: "disabled" }]);
  await approve(ben, proposeRollback.id);
  expect((await approve(cat, proposeRollback.id)).status).toBe("applied");
  const after = await t.admin.request<any>(`{ deployments(status: "disabled") { items { id status } } }`);
  expect(after.deployments.items.find((d: { id: string }) => d.id === depId).status).toBe("disabled");
  expect(await errorCode(ann.client.request(`mutation { proposeRollback(toVersion: 99999) { id } }`))).toBe("NOT_FOUND");
});

test("bad operations are refused with coded errors", async () => {
  expect(await errorCode(propose(ann, [{ op: "alias.explode" }]))).toBe("BAD_USER_INPUT");
  expect(await errorCode(propose(ann, [aliasOp("chat", ["dep_missing"])]))).toBe("NOT_FOUND");
  expect(await errorCode(propose(ann, [aliasOp("chat", (await chain("chat"))!)]))).toBe("BAD_USER_INPUT"); // changes nothing
  expect(await errorCode(propose(ann, [aliasOp("chat", [seeded.euDeploymentId], "alias.create")]))).toBe("CONFLICT");
  expect(await errorCode(propose(ann, []))).toBe("BAD_USER_INPUT");
  expect(await errorCode(propose(ann, [{ op: "deployment.create", deployment: { provider: "openai" } }]))).toBe("BAD_USER_INPUT");
});

test("a kill switch applies at once, without approval, audited as break-glass", async () => {
  const { killSwitch } = await t.admin.request<any>(`mutation($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "vendor leaking") { kind id affected } }`, {
    t: { kind: "deployment", id: seeded.usDeploymentId },
  });
  expect(killSwitch).toEqual({ kind: "deployment", id: seeded.usDeploymentId, affected: 1 });
  const sql = postgres(t.db.url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select action, break_glass, after from audit_log where target = ${seeded.usDeploymentId} order by id desc limit 1`;
    expect(row).toMatchObject({ action: "killswitch.deployment", break_glass: true, after: { reason: "vendor leaking" } });
    const [snap] = await sql`select jws from snapshots where region = 'us' order by version desc limit 1`;
    const payload = JSON.parse(Buffer.from(String(snap!.jws).split(".")[1]!, "base64url").toString("utf8"));
    expect(payload.deployments[seeded.usDeploymentId]).toBeUndefined();
  } finally {
    await sql.end();
  }
  const { auditLog } = await t.admin.request<any>(`{ auditLog(first: 1) { items { action breakGlass } } }`);
  expect(auditLog.items[0]).toEqual({ action: "killswitch.deployment", breakGlass: true });
  expect(await errorCode(ann.client.request(`mutation($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "x") { affected } }`, { t: { kind: "provider", id: "openai" } }))).toBe("FORBIDDEN");
  expect(await errorCode(t.admin.request(`mutation($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "x") { affected } }`, { t: { kind: "planet", id: "x" } }))).toBe("BAD_USER_INPUT");
});

test("the last two approvals racing apply the request exactly once", async () => {
  const { configVersion: before } = await t.admin.request<{ configVersion: number }>(`{ configVersion }`);
  const current = (await chain("chat"))!;
  const target = current.includes(seeded.usDeploymentId) && current.length === 1 ? [seeded.euDeploymentId] : [seeded.usDeploymentId];
  const cr = await propose(ann, [aliasOp("chat", target)]);
  const [a, b] = await Promise.all([approve(ben, cr.id), approve(cat, cr.id)]);
  // Serialised by the config lock: the first sees one approval (pending), the second applies; never an error.
  expect([a.status, b.status]).toContain("applied");
  expect((await status(cr.id)).status).toBe("applied");
  expect((await t.admin.request<{ configVersion: number }>(`{ configVersion }`)).configVersion).toBe(before + 1);
  const { auditLog } = await t.admin.request<any>(`query($id: String!) { auditLog(target: $id) { items { action } } }`, { id: cr.id });
  expect(auditLog.items.filter((e: { action: string }) => e.action === "change.apply")).toHaveLength(1);
});

test("what a kill switch disabled comes back only through review", async () => {
  await t.admin.request(`mutation($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "incident") { affected } }`, { t: { kind: "tenant", id: seeded.tenantId } });
  const tenantStatus = async () => (await t.admin.request<any>(`query($id: ID!) { tenant(id: $id) { status } }`, { id: seeded.tenantId })).tenant.status;
  expect(await tenantStatus()).toBe("disabled");
  const { deployments } = await t.admin.request<any>(`{ deployments(status: "disabled") { items { id } } }`);
  const disabledDep = deployments.items[0].id;
  const cr = await propose(ann, [
    { op: "tenant.enable", id: seeded.tenantId },
    { op: "deployment.enable", id: disabledDep },
  ]);
  expect(cr.diff).toEqual([
    { entity: "tenantStatus", id: seeded.tenantId, field: "status", before: "disabled", after: null },
    { entity: "deployment", id: disabledDep, field: "status", before: "disabled", after: "active" },
  ]);
  expect(await tenantStatus()).toBe("disabled");
  await approve(ben, cr.id);
  expect((await approve(cat, cr.id)).status).toBe("applied");
  expect(await tenantStatus()).toBe("active");
  const after = await t.admin.request<any>(`{ deployments(status: "active") { items { id } } }`);
  expect(after.deployments.items.map((d: { id: string }) => d.id)).toContain(disabledDep);
});
