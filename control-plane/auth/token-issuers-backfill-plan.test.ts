/**
 * Migration 0111's backfill of issuers walks every token chain one level a step, as 0113's does
 * (token-lineage-backfill-plan.test.ts), under its ALTER TABLE's lock that holds off every issueToken
 * and admin login. On analyzed tokens the planner hashed the whole table for each level's join on
 * issued_with and built that hash again on every level: 410 s at 200,000 tokens in chains of 8,760
 * (PostgreSQL 15, default work_mem). The migration turns hash and merge joins off for the walk alone,
 * so each level looks its tokens up by issued_with, 0109's index (2.9 s), on tokens analyzed first by
 * the migration itself (0113's walk, without statistics, scanned the whole table once per level). This
 * explains the walk as the migration runs it (the file's own text, up to the walk) on 5,000 tokens
 * never analyzed, as on PGlite (no autovacuum) or a server after a restore; and the settings end with
 * the walk: migrate.ts runs every pending migration in one transaction, and one run right after 0111
 * in it plans with the server's own settings, whatever they are.
 */

import { expect, test } from "bun:test";
import { migrate } from "../db/migrate.ts";
import { SETTINGS_PROBE, useTokenChainWalk } from "../testing/token-chain-walk.ts";

const walk = useTokenChainWalk(111, "with recursive chain");

test("0111's walk looks each level's tokens up by issued_with, no hash or merge join, on tokens never analyzed", async () => {
  const plan = await walk.plan();
  expect(plan).toContain("Recursive Union");
  expect(plan).toContain("Index Scan using issued_tokens_issued_with_idx");
  expect(plan).not.toMatch(/Hash Join|Merge Join/);
}, 60_000);

test("the settings 0111 takes for its walk do not reach the migration right after it", async () => {
  // Right after 0111, not after every migration: 0113 sets both back to default after its own walk.
  // The server's own settings, read on the same pool: an operator's enable_hashjoin=off stays off after.
  const before = await walk.joinSettings();
  const applied = await migrate(walk.sql, [...walk.all.filter((m) => m.version <= 111), SETTINGS_PROBE]);
  expect(applied).toEqual([walk.migration.name, SETTINGS_PROBE.name]);
  const [settings] = await walk.sql<{ hashjoin: string; mergejoin: string }[]>`select hashjoin, mergejoin from settings_probe`;
  expect(settings).toEqual(before);
  // Every row's issuers as the walk builds them: its chain's bootstrap issuer and its principal.
  const wrong = await walk.sql<{ jti: string }[]>`select jti from issued_tokens
    where issuers <> array['adm_x', principal_id] and issued_with is not null
       or issuers <> array['adm_x'] and issued_with is null`;
  expect(wrong.map((r) => r.jti)).toEqual([]);
}, 60_000);
