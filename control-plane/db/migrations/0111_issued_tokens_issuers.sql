-- Who issued, transitively up its token chain, each token (changes/approval-is-authors.ts rule (b)):
-- its own issuer and its parent token's (issued_with) issuers, stored when it is issued
-- (auth/principal.repo.ts insertIssuedToken). Reading it replaces walking the chain one token per level
-- under the config lock; with hourly self-renewal a chain grows ~8,760 tokens a year, and the walk took
-- 2 s a year on, 11 s at four (past the lock's 10 s timeout). Distinct ids, sorted; the bootstrap
-- token's adm_ id is kept (readers leave it out, as they always did); a token whose issuer was never
-- recorded adds none, and one whose parent row is gone starts its chain, as the walk stopped there.
-- Backfilled root first, one level a step, so each row's set is its parent's plus one.
alter table issued_tokens add column issuers text[] not null default '{}';

-- The walk, one level a step, must look each level's tokens up by issued_with (0109's index). On
-- analyzed tokens the planner hashed the whole table for the join on issued_with instead, and built
-- that hash again on every level once it outgrew work_mem: a seq scan per level, while this ALTER
-- TABLE's lock held off every issueToken and admin login: 410 s at 200,000 tokens in chains of 8,760
-- (a year of hourly renewals), 2.9 s with the index. Hash and merge joins are off for this statement
-- alone, as for 0113's walk (set local: this transaction; back to the server's setting after it,
-- before the migrations that follow run in the same transaction: migrate.ts). PGlite (the embedded
-- mode) takes them alike. A plan setting only: the rows written are the same, so a database that
-- applied this file before these lines (migrate.ts keeps no checksum) has what one applying it now gets.
-- The settings were chosen on column statistics, which tokens never analyzed lack (PGlite has no
-- autovacuum and the control plane never analyzes; a server with autovacuum off, or after a restore or
-- pg_upgrade): there 0113's walk scanned the whole table once per level. This walk kept the index
-- without them (2.3 s at 200,000 tokens on PostgreSQL, 0.6 s at 40,000 on PGlite), but the table is
-- analyzed first as in 0113, so it is planned on the statistics it was measured on (allowed in
-- migrate's transaction, PGlite included; 2.4 s and 0.7 s with it).
analyze issued_tokens;
set local enable_hashjoin = off;
set local enable_mergejoin = off;

with recursive chain(jti, issuers) as (
  select t.jti, array(select x from unnest(array[t.issued_by]) x where x is not null)
  from issued_tokens t
  where t.issued_with is null or not exists (select 1 from issued_tokens p where p.jti = t.issued_with)
  union all
  select t.jti, array(select distinct x from unnest(c.issuers || t.issued_by) x where x is not null order by x)
  from issued_tokens t join chain c on t.issued_with = c.jti
)
update issued_tokens t set issuers = chain.issuers from chain where chain.jti = t.jti;

set local enable_hashjoin to default;
set local enable_mergejoin to default;
