/**
 * A rollback depends on the deployments it puts back into an alias's chain as a change does
 * (GOVERNANCE.md step 4): one disabled (kill switch) or redefined after the rollback was proposed makes
 * it stale, as approving it would route the alias to what nobody reviewed in it. One already disabled
 * when it was proposed is restored as reviewed. (Review rf's repro, F1.) One proposed before dependency
 * bases were recorded is judged by the configuration it was proposed on (reviews frc, fr3).
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { errorCode, twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let ann: ActingPrincipal;
let ben: ActingPrincipal;
let sql: postgres.Sql;
beforeAll(async () => {
  sql = t.openSql();
  await seedConfig(t.admin);
  ({ ann, ben } = await twoApprovers(t.admin, t.cp.url));
});

const dep = async (name: string) =>
  (
    await t.admin.request<{ createDeployment: { id: string } }>(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, {
      i: { provider: "openai", baseUrl: `https://${name}.example/v1`, model: "gpt-4o-mini", region: "eu", credentialRef: `env:GW_${name.toUpperCase()}` }, // a priced model: aliases route only to priced ones
    })
  ).createDeployment.id;
const version = async () => (await t.admin.request<{ configVersion: number }>(`{ configVersion }`)).configVersion;
const rollback = async (v: number) => (await ann.client.request<{ proposeRollback: { id: string } }>(`mutation($v: Int!) { proposeRollback(toVersion: $v) { id } }`, { v })).proposeRollback.id;
const approve = (id: string) => ben.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id });
const chainOf = async (name: string) =>
  (await t.admin.request<{ aliases: { items: { name: string; deploymentIds: string[] }[] } }>(`{ aliases { items { name deploymentIds } } }`)).aliases.items.find((a) => a.name === name)!.deploymentIds;

test("rollback restoring alias→[X] goes stale when X is kill-switched after the proposal", async () => {
  const x = await dep("rbx");
  const y = await dep("rby");
  await t.admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: "rb1", deploymentIds: [x] } });
  const v = await version();
  await t.admin.request(`mutation($i: AliasInput!) { updateAlias(input: $i) { name } }`, { i: { name: "rb1", deploymentIds: [y] } });
  const id = await rollback(v);
  await t.admin.request(`mutation($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "vendor incident") { affected } }`, { t: { kind: "deployment", id: x } });
  // A change request routing rb1 to X would now be stale; the rollback should be too.
  const outcome = await approve(id).then((r) => r.approveChange.status, (e) => e.code as string);
  expect({ outcome, chain: await chainOf("rb1") }).toEqual({ outcome: "CONFLICT", chain: [y] });
});

test("rollback restoring alias→[X] goes stale when X is redefined (new baseUrl/credential) after the proposal", async () => {
  const x = await dep("rbx2");
  const y = await dep("rby2");
  await t.admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: "rb2", deploymentIds: [x] } });
  const v = await version();
  await t.admin.request(`mutation($i: AliasInput!) { updateAlias(input: $i) { name } }`, { i: { name: "rb2", deploymentIds: [y] } });
  const id = await rollback(v);
  // X is redefined through review (it is in no chain, so nothing else notices).
  const redefine = (
    await ben.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
      i: { description: "repoint X", operations: [{ op: "deployment.update", id: x, deployment: { baseUrl: "https://elsewhere.example/v1", credentialRef: "env:GW_OTHER" } }] },
    })
  ).proposeChange.id;
  await ann.client.request(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: redefine });
  const outcome = await approve(id).then((r) => r.approveChange.status, (e) => e.code as string);
  expect(outcome).toBe("CONFLICT");
});

test("a rollback restoring a chain that named a deployment already disabled when proposed still applies", async () => {
  const x = await dep("rbx3");
  const y = await dep("rby3");
  await t.admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: "rb3", deploymentIds: [x, y] } });
  await t.admin.request(`mutation($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "vendor incident") { affected } }`, { t: { kind: "deployment", id: x } });
  const v = await version();
  await t.admin.request(`mutation($i: AliasInput!) { updateAlias(input: $i) { name } }`, { i: { name: "rb3", deploymentIds: [y] } });
  const id = await rollback(v);
  expect((await approve(id)).approveChange.status).toBe("applied");
  expect(await chainOf("rb3")).toEqual([x, y]);
});

/** A rollback of rb<n> to [X, Y], X disabled when proposed, stored as an old control plane did: only the bases of what it writes. */
async function rollbackProposedBeforeDependencyBases(n: number): Promise<{ id: string; x: string; y: string }> {
  const x = await dep(`rbx${n}`);
  const y = await dep(`rby${n}`);
  await t.admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: `rb${n}`, deploymentIds: [x, y] } });
  await t.admin.request(`mutation($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "vendor incident") { affected } }`, { t: { kind: "deployment", id: x } });
  const v = await version();
  await t.admin.request(`mutation($i: AliasInput!) { updateAlias(input: $i) { name } }`, { i: { name: `rb${n}`, deploymentIds: [y] } });
  const id = await rollback(v);
  const [row] = await sql<{ before: number; after: number }[]>`
    with old as (select jsonb_array_length(bases) as before from change_requests where id = ${id})
    update change_requests set bases = (select coalesce(jsonb_agg(b), '[]'::jsonb) from jsonb_array_elements(bases) b where not coalesce((b->>'dependency')::boolean, false))
    where id = ${id} returning (select before from old), jsonb_array_length(bases) as after`;
  expect(row!.before - row!.after).toBe(1); // the dependency base for X, and nothing else
  return { id, x, y };
}

test("a rollback proposed before dependency bases were recorded, restoring a chain with a deployment disabled then, still applies", async () => {
  const { id, x, y } = await rollbackProposedBeforeDependencyBases(4);
  expect(await approve(id).then((r) => r.approveChange.status, (e) => `${e.code}: ${e.message}`)).toBe("applied");
  expect(await chainOf("rb4")).toEqual([x, y]);
});

test("a rollback proposed before dependency bases were recorded is not made stale by an unrelated config change", async () => {
  const { id, x, y } = await rollbackProposedBeforeDependencyBases(5);
  await dep("rbz5");
  const [row] = await sql<{ status: string; reason: string | null }[]>`select status, reason from change_requests where id = ${id}`;
  expect(row).toEqual({ status: "pending", reason: null });
  expect((await approve(id)).approveChange.status).toBe("applied");
  expect(await chainOf("rb5")).toEqual([x, y]);
});

test("a rollback proposed before dependency bases were recorded, naming X active then, is refused once X is kill-switched", async () => {
  const x = await dep("lgx1");
  const y = await dep("lgy1");
  await t.admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: "lg1", deploymentIds: [x] } });
  const v = await version();
  await t.admin.request(`mutation($i: AliasInput!) { updateAlias(input: $i) { name } }`, { i: { name: "lg1", deploymentIds: [y] } });
  const id = await rollback(v);
  // Stored as a control plane before c3b1bf1 stored it: no dependency base.
  await sql`update change_requests set bases = (select coalesce(jsonb_agg(b), '[]'::jsonb) from jsonb_array_elements(bases) b where not coalesce((b->>'dependency')::boolean, false)) where id = ${id}`;
  await t.admin.request(`mutation($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "vendor incident") { affected } }`, { t: { kind: "deployment", id: x } });
  const outcome = await approve(id).then((r) => r.approveChange.status, (e) => e.code as string);
  expect({ outcome, chain: await chainOf("lg1") }).toEqual({ outcome: "CONFLICT", chain: [y] });
});
