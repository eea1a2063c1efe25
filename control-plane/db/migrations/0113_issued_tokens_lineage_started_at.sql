-- A token a principal issues itself (a renewal, auth/who-may-issue.ts) may not expire later than its
-- lineage's end (auth/token-lineage.ts): ADMIN_JWT_MAX_LINEAGE_HOURS after the lineage started, when
-- the first token of its chain that someone else issued (an admin, the bootstrap token) was issued.
-- Each token stores that start when it is issued (auth/principal.repo.ts insertIssuedToken: its own
-- issue time, or for a renewal the start of the token it was issued with), so issueToken reads one row
-- under the config lock instead of walking back up a chain that grows by a token an hour.
-- Backfilled as issueToken would have stored it: from each token someone else issued (or whose issuer
-- was never recorded, or whose parent row is gone, where the issuers backfill of 0111 starts a chain
-- too), at its issued_at, down the tokens its principal issued itself with it, one level a step. So a
-- chain renewed since before the upgrade for longer than the maximum has ended: its last token works
-- until it expires (an hour at most), then its holder needs a token from an admin or the bootstrap.
-- No default, as issuers (0112): a row written without it (a control plane of an older release sharing
-- this database during a rolling upgrade) fails, instead of a renewal starting a lineage of its own.
alter table issued_tokens add column lineage_started_at timestamptz;

-- The walk, one level a step, must look each level's tokens up by issued_with (0109's index). The
-- planner takes `issued_by = principal_id` for 0.5% of the rows where nearly all are renewals, so it
-- hashed every renewal and built the hash again on every level: 416 s at 200,000 tokens in chains of
-- 8,760 (a year of hourly renewals), while this ALTER TABLE's lock held off every issueToken and admin
-- login; 2.0 s with the index (13 s at 1,000,000). Hash and merge joins are off for this statement
-- alone (set local: this transaction; back to the server's setting after it, before the migrations
-- that follow run in the same transaction: migrate.ts). PGlite (the embedded mode) takes them alike.
-- Those settings need column statistics: on tokens never analyzed (PGlite has no autovacuum and the
-- control plane never analyzes; a server with autovacuum off, or after a restore or pg_upgrade) the
-- planner took the walk's join for a few rows and scanned the whole table once per level (a nested
-- loop over a materialized seq scan): 77 s at 40,000 tokens in chains of 8,760 on PGlite, over 150 s
-- at 200,000 on PostgreSQL. So the table is analyzed first (allowed in migrate's transaction, PGlite
-- included): 0.5 s and 2.0 s.
analyze issued_tokens;
set local enable_hashjoin = off;
set local enable_mergejoin = off;

with recursive lineage(jti, started_at) as (
  select t.jti, t.issued_at
  from issued_tokens t
  where t.issued_by is distinct from t.principal_id or not exists (select 1 from issued_tokens p where p.jti = t.issued_with)
  union all
  select t.jti, l.started_at
  from issued_tokens t join lineage l on t.issued_with = l.jti
  where t.issued_by = t.principal_id
)
update issued_tokens t set lineage_started_at = lineage.started_at from lineage where lineage.jti = t.jti;

set local enable_hashjoin to default;
set local enable_mergejoin to default;

-- A row the walk cannot reach (a cycle of issued_with, which issueToken cannot write) starts its own.
update issued_tokens set lineage_started_at = issued_at where lineage_started_at is null;

alter table issued_tokens alter column lineage_started_at set not null;
