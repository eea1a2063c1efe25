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

import { expect, test } from "bun:test";
import { migrate } from "../db/migrate.ts";
import { SETTINGS_PROBE, useTokenChainWalk } from "../testing/token-chain-walk.ts";

const walk = useTokenChainWalk(113, "with recursive lineage");

test("0113's walk looks each level's tokens up by issued_with, no hash or merge join, on tokens never analyzed", async () => {
  const plan = await walk.plan();
  expect(plan).toContain("Recursive Union");
  expect(plan).toContain("Index Scan using issued_tokens_issued_with_idx");
  expect(plan).not.toMatch(/Hash Join|Merge Join/);
}, 60_000);

test("the settings 0113 takes for its walk do not reach the migrations after it", async () => {
  // The server's own settings, read on the same pool: an operator's enable_hashjoin=off stays off after.
  const before = await walk.joinSettings();
  const applied = await migrate(walk.sql, [...walk.all, SETTINGS_PROBE]);
  expect(applied).toContain(walk.migration.name);
  const [settings] = await walk.sql<{ hashjoin: string; mergejoin: string }[]>`select hashjoin, mergejoin from settings_probe`;
  expect(settings).toEqual(before);
}, 60_000);
