/**
 * A rollback stored before dependency bases were recorded (bases only for its targets) that puts
 * deployment X back into a chain, X active when it was proposed and kill-switched only afterwards, is
 * refused (it applied after e751ae9, which skipped judging such rollbacks): the state it was proposed
 * on is on record (config_states at its base_version), so what it depended on is known.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
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
      i: { provider: "openai", baseUrl: `https://${name}.example/v1`, model: "gpt-4o-mini", region: "eu", credentialRef: `env:GW_${name.toUpperCase()}` },
    })
  ).createDeployment.id;
const version = async () => (await t.admin.request<{ configVersion: number }>(`{ configVersion }`)).configVersion;
const approve = (id: string) => ben.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id });
const chainOf = async (name: string) =>
  (await t.admin.request<{ aliases: { items: { name: string; deploymentIds: string[] }[] } }>(`{ aliases { items { name deploymentIds } } }`)).aliases.items.find((a) => a.name === name)!.deploymentIds;

test("a legacy rollback naming X (active when proposed) is refused once X is kill-switched after the proposal", async () => {
  const x = await dep("lgx1");
  const y = await dep("lgy1");
  await t.admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: "lg1", deploymentIds: [x] } });
  const v = await version();
  await t.admin.request(`mutation($i: AliasInput!) { updateAlias(input: $i) { name } }`, { i: { name: "lg1", deploymentIds: [y] } });
  const id = (await ann.client.request<{ proposeRollback: { id: string } }>(`mutation($v: Int!) { proposeRollback(toVersion: $v) { id } }`, { v })).proposeRollback.id;
  // Stored as a control plane before c3b1bf1 stored it: no dependency base.
  await sql`update change_requests set bases = (select coalesce(jsonb_agg(b), '[]'::jsonb) from jsonb_array_elements(bases) b where not coalesce((b->>'dependency')::boolean, false)) where id = ${id}`;
  await t.admin.request(`mutation($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "vendor incident") { affected } }`, { t: { kind: "deployment", id: x } });
  const outcome = await approve(id).then((r) => r.approveChange.status, (e) => e.code as string);
  expect({ outcome, chain: await chainOf("lg1") }).toEqual({ outcome: "CONFLICT", chain: [y] });
});
