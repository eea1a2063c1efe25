-- Who issued, transitively up its token chain, each token (changes/approval-is-authors.ts rule (b)):
-- its own issuer and its parent token's (issued_with) issuers, stored when it is issued
-- (auth/principal.repo.ts insertIssuedToken). Reading it replaces walking the chain one token per level
-- under the config lock; with hourly self-renewal a chain grows ~8,760 tokens a year, and the walk took
-- 2 s a year on, 11 s at four (past the lock's 10 s timeout). Distinct ids, sorted; the bootstrap
-- token's adm_ id is kept (readers leave it out, as they always did); a token whose issuer was never
-- recorded adds none, and one whose parent row is gone starts its chain, as the walk stopped there.
-- Backfilled root first, one level a step, so each row's set is its parent's plus one.
alter table issued_tokens add column issuers text[] not null default '{}';

with recursive chain(jti, issuers) as (
  select t.jti, array(select x from unnest(array[t.issued_by]) x where x is not null)
  from issued_tokens t
  where t.issued_with is null or not exists (select 1 from issued_tokens p where p.jti = t.issued_with)
  union all
  select t.jti, array(select distinct x from unnest(c.issuers || t.issued_by) x where x is not null order by x)
  from issued_tokens t join chain c on t.issued_with = c.jti
)
update issued_tokens t set issuers = chain.issuers from chain where chain.jti = t.jti;
