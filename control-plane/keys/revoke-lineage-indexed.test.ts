/**
 * The lineage walk of a kill switch or revokeKey (keys/key.repo.ts revokeSecrets) runs under the config
 * lock, once per level of a recursive CTE that follows lineage_id and rotated_to in both directions.
 * rotated_to had no index, so every level read the whole of gateway_keys (100-170 ms per revoke at
 * 100,000 keys, 9 ms with the index: final read fr-cp2 of 734cc15). Each level must look its keys up
 * by index; and the walk stays in the tenant it started in, whatever odd data rotated_to holds.
 */
import { beforeAll, expect, test } from "bun:test";
import { addKey } from "../testing/add-key.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { revokeSecrets } from "./key.repo.ts";

const t = useTestControlPlane();
let s: Seeded;
let sql: ReturnType<typeof t.openSql>;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  sql = t.openSql();
});

test("a rotated_to cycle ends the walk (union), both secrets revoked once", async () => {
  const a = await addKey(t.admin, s.tenantId, { name: "cycle a" });
  const b = await addKey(t.admin, s.tenantId, { name: "cycle b" });
  await sql`update gateway_keys set rotated_to = ${b} where id = ${a}`;
  await sql`update gateway_keys set rotated_to = ${a} where id = ${b}`;
  expect(await sql.begin((tx) => revokeSecrets(tx as any, a, true))).toEqual([a, b].sort());
}, 30_000);

test("a rotated_to naming another tenant's key is not followed there", async () => {
  const { createTenant } = await t.admin.request<any>(`mutation { createTenant(input: { name: "other-tenant", kind: "team" }) { id } }`);
  const mine = await addKey(t.admin, s.tenantId, { name: "mine" });
  const theirs = await addKey(t.admin, createTenant.id, { name: "theirs" });
  await sql`update gateway_keys set rotated_to = ${theirs} where id = ${mine}`;
  expect(await sql.begin((tx) => revokeSecrets(tx as any, mine, true))).toEqual([mine]);
  expect((await sql`select status from gateway_keys where id = ${theirs}`)[0]!.status).toBe("active");
}, 30_000);

test("at 100,000 keys each level of the walk looks keys up by index, no scan of gateway_keys", async () => {
  const c = await addKey(t.admin, s.tenantId, { name: "big" });
  await sql`insert into gateway_keys (id, tenant_id, name, prefix, key_hash, status, lineage_id, created_at)
    select 'key_bulk' || g, tenant_id, name, prefix, 'h' || g, 'active', 'key_bulk' || g, created_at
    from gateway_keys, generate_series(1, 100000) g where id = ${c}`;
  await sql`analyze gateway_keys`;
  // revokeSecrets' statement, explained (its text read from the function, so the two cannot drift).
  const plan = await sql.begin(async (tx) => {
    const lines: string[] = [];
    const explaining = (async (strings: TemplateStringsArray, ...values: unknown[]) => {
      const rows = await tx.unsafe(`explain ${strings.reduce((text, part, i) => text + `$${i}` + part)}`, values as any[]);
      lines.push(...rows.map((r: any) => r["QUERY PLAN"]));
      return [];
    }) as any;
    await revokeSecrets(explaining, c, true);
    return lines.join("\n");
  });
  expect(plan).toContain("Recursive Union");
  expect(plan).not.toMatch(/Seq Scan on gateway_keys/);
}, 120_000);
