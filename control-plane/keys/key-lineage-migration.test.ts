/**
 * Migration 0101 gives every key a lineage (the key level of budgets and limits is `key:<lineage_id>`):
 * keys that exist keep their own id, a rotated pair included, so their `key:<id>` levels, leases and
 * alerts of running periods are the ones they had; a key inserted without a lineage is its own.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { loadMigrations, migrate } from "../db/migrate.ts";

let db: TestDatabase;
let sql: postgres.Sql;
beforeAll(async () => {
  db = await createTestDatabase();
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await db?.drop();
});

const insertKey = (id: string, rotatedTo: string | null = null) =>
  sql`insert into gateway_keys (id, tenant_id, name, prefix, key_hash, rotated_to) values (${id}, 'ten_a', 'k', 'gwk_', ${`hash_${id}`}, ${rotatedTo})`;

test("keys from before 0101 are each their own lineage; a key inserted without one is its own", async () => {
  const all = await loadMigrations();
  await migrate(sql, all.filter((m) => m.version < 101));
  await sql`insert into tenants (id, name) values ('ten_a', 'a')`;
  await insertKey("key_new");
  await insertKey("key_old", "key_new");
  await insertKey("key_alone");
  await migrate(sql, all);
  await insertKey("key_after");
  await sql`insert into gateway_keys (id, tenant_id, name, prefix, key_hash, lineage_id) values ('key_rotated', 'ten_a', 'k', 'gwk_', 'hash_rotated', 'key_after')`;
  const rows = await sql`select id, lineage_id as lineage from gateway_keys order by id`;
  expect([...rows]).toEqual([
    { id: "key_after", lineage: "key_after" },
    { id: "key_alone", lineage: "key_alone" },
    { id: "key_new", lineage: "key_new" },
    { id: "key_old", lineage: "key_old" },
    { id: "key_rotated", lineage: "key_after" },
  ]);
  await expect(sql`update gateway_keys set lineage_id = null where id = 'key_alone'`).rejects.toThrow(/null/);
});
