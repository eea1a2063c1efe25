/**
 * Migration 0113's backfill walks every token chain one level a step, under the ALTER TABLE's lock
 * that holds off every issueToken and admin login. The planner takes `issued_by = principal_id` for
 * 0.5% of the rows where nearly every row is a renewal, so it hashed all of them and built that hash
 * again on every level: 416 s at 200,000 tokens in chains of 8,760 (PostgreSQL 15, default work_mem).
 * The migration turns hash and merge joins off for the walk alone, so each level looks its tokens up
 * by issued_with (2.0 s). Those settings need column statistics: on tokens never analyzed (PGlite, the
 * embedded mode, has no autovacuum; a server with autovacuum off, after a restore or pg_upgrade) the
 * planner took the walk's join for a few rows and scanned the whole table once per level, a nested loop
 * over a materialized seq scan, so the migration analyzes the table first. This explains the walk as the
 * migration runs it (the file's own text, up to the walk) on 5,000 tokens never analyzed (the nested
 * loop without the migration's analyze; the planner picks the hash at a few thousand tokens analyzed);
 * and the settings end with the walk: migrate.ts runs every pending migration in one transaction, and
 * one run after 0113 in it plans with the server's own settings, whatever they are.
 */
import { beforeAll, expect, test } from "bun:test";
import { useTestDatabase } from "../../test/support/use-test-database.ts";
import { loadMigrations, migrate, type Migration } from "../db/migrate.ts";

const database = useTestDatabase({ max: 2 });
const CHAINS = 5;
const CHAIN_LENGTH = 1000;

let all: Migration[];
let m0113: Migration;
/** The schema before 0113, with CHAINS chains of CHAIN_LENGTH tokens, never analyzed (see the header). */
beforeAll(async () => {
  const sql = database.sql;
  all = await loadMigrations();
  m0113 = all.find((m) => m.version === 113)!;
  await migrate(sql, all.filter((m) => m.version < 113));
  await sql`insert into principals (id, name, kind) select 'prn_' || c, 'p' || c, 'person' from generate_series(0, ${CHAINS - 1}) c`;
  // Each chain: a token the bootstrap issued, then its principal's hourly renewals, each with the last.
  await sql`insert into issued_tokens (jti, principal_id, issued_at, expires_at, issued_by, issued_with, issuers)
    select 'jti_' || g, 'prn_' || (g / ${CHAIN_LENGTH}), now(), now(),
      case when g % ${CHAIN_LENGTH} = 0 then 'adm_x' else 'prn_' || (g / ${CHAIN_LENGTH}) end,
      case when g % ${CHAIN_LENGTH} = 0 then null else 'jti_' || (g - 1) end, '{}'
    from generate_series(0, ${CHAINS * CHAIN_LENGTH - 1}) g`;
}, 60_000);

test("0113's walk looks each level's tokens up by issued_with, no hash or merge join, on tokens never analyzed", async () => {
  const walkAt = m0113.sql.indexOf("with recursive lineage");
  const walk = m0113.sql.slice(walkAt, m0113.sql.indexOf(";", walkAt));
  const conn = await database.sql.reserve();
  let plan: string;
  try {
    await conn.unsafe("begin");
    // What the migration runs before the walk (the column, and whatever settings it takes), then the walk explained.
    await conn.unsafe(m0113.sql.slice(0, walkAt));
    const rows = await conn.unsafe(`explain (costs off) ${walk}`);
    plan = rows.map((r) => (r as Record<string, string>)["QUERY PLAN"]).join("\n");
  } finally {
    await conn.unsafe("rollback");
    conn.release();
  }
  expect(plan).toContain("Recursive Union");
  expect(plan).toContain("Index Scan using issued_tokens_issued_with_idx");
  expect(plan).not.toMatch(/Hash Join|Merge Join/);
}, 60_000);

test("the settings 0113 takes for its walk do not reach the migrations after it", async () => {
  const after: Migration = {
    version: 9999,
    name: "9999_settings_probe.sql",
    sql: `create table settings_probe as select current_setting('enable_hashjoin') as hashjoin, current_setting('enable_mergejoin') as mergejoin`,
  };
  // The server's own settings, read on the same pool: an operator's enable_hashjoin=off stays off after.
  const [before] = await database.sql<{ hashjoin: string; mergejoin: string }[]>`select
    current_setting('enable_hashjoin') as hashjoin, current_setting('enable_mergejoin') as mergejoin`;
  const applied = await migrate(database.sql, [...all, after]);
  expect(applied).toContain(m0113.name);
  const [settings] = await database.sql<{ hashjoin: string; mergejoin: string }[]>`select hashjoin, mergejoin from settings_probe`;
  expect(settings).toEqual(before!);
}, 60_000);
