/**
 * Migration 0101 gives every key a lineage (the key level of budgets and limits is `key:<lineage_id>`):
 * keys that exist keep their own id, a rotated pair included, so their `key:<id>` levels, leases and
 * alerts of running periods are the ones they had; a key inserted without a lineage is its own.
 */
import { expect, test } from "bun:test";
import { useTestDatabase } from "../../test/support/use-test-database.ts";
import { loadMigrations, migrate } from "../db/migrate.ts";

const database = useTestDatabase({ max: 2 });

const insertKey = (id: string, rotatedTo: string | null = null) =>
  database.sql`insert into gateway_keys (id, tenant_id, name, prefix, key_hash, rotated_to) values (${id}, 'ten_a', 'k', 'gwk_', ${`hash_${id}`}, ${rotatedTo})`;

test("keys from before 0101 are each their own lineage; a key inserted without one is its own", async () => {
  const all = await loadMigrations();
  await migrate(database.sql, all.filter((m) => m.version < 101));
  await database.sql`insert into tenants (id, name) values ('ten_a', 'a')`;
  await insertKey("key_new");
  await insertKey("key_old", "key_new");
  await insertKey("key_alone");
  await migrate(database.sql, all);
  await insertKey("key_after");
  await database.sql`insert into gateway_keys (id, tenant_id, name, prefix, key_hash, lineage_id) values ('key_rotated', 'ten_a', 'k', 'gwk_', 'hash_rotated', 'key_after')`;
  const rows = await database.sql`select id, lineage_id as lineage from gateway_keys order by id`;
  expect([...rows]).toEqual([
    { id: "key_after", lineage: "key_after" },
    { id: "key_alone", lineage: "key_alone" },
    { id: "key_new", lineage: "key_new" },
    { id: "key_old", lineage: "key_old" },
    { id: "key_rotated", lineage: "key_after" },
  ]);
  await expect(database.sql`update gateway_keys set lineage_id = null where id = 'key_alone'`).rejects.toThrow(/null/);
});
