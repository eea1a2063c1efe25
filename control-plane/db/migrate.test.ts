import { expect, test } from "bun:test";
import { useTestDatabase } from "../../test/support/use-test-database.ts";
import { loadMigrations, migrate } from "./migrate.ts";

const database = useTestDatabase({ max: 4 });

test("migrations apply once, in order; a second run applies nothing", async () => {
  const all = await loadMigrations();
  expect(all.map((m) => m.version)).toEqual([...all.map((m) => m.version)].sort((a, b) => a - b));
  expect(await migrate(database.sql)).toEqual(all.map((m) => m.name));
  expect(await migrate(database.sql)).toEqual([]);
  const rows = await database.sql`select version from schema_migrations order by version`;
  expect(rows.map((r) => r.version)).toEqual(all.map((m) => m.version));
});

test("concurrent runs do not race: exactly one applies a new migration", async () => {
  const extra = [...(await loadMigrations()), { version: 9999, name: "9999_probe.sql", sql: "create table probe (id int);" }];
  const results = await Promise.all([migrate(database.sql, extra), migrate(database.sql, extra), migrate(database.sql, extra)]);
  expect(results.flat()).toEqual(["9999_probe.sql"]);
});

test("a failing migration rolls back entirely", async () => {
  const broken = [...(await loadMigrations()), { version: 10000, name: "10000_broken.sql", sql: "create table half (id int); select nope_fn();" }];
  await expect(migrate(database.sql, broken)).rejects.toThrow();
  const [row] = await database.sql`select to_regclass('half') as t`;
  expect(row!.t).toBeNull();
  const [rec] = await database.sql`select count(*)::int as n from schema_migrations where version = 10000`;
  expect(rec!.n).toBe(0);
});
