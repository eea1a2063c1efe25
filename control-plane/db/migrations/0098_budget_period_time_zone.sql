-- A budget period is a calendar label AND the time zone it is counted in (shared/leases/zoned-period.ts):
-- after an org's zone changes, `day:2026-03-09` names another 24 hours, so a region's lease and the
-- alerts of the old zone's day must not be read as the new zone's. Leases and alerts are keyed by the
-- zone too. Rows from before were counted in the zone their org has now (the control plane summed the
-- ledger in it), so they get that zone (UTC where the owner is gone, as rootTimeZone answers): a period
-- in progress keeps its leases and alerts.
alter table budget_leases add column time_zone text not null default '';
alter table budget_alerts add column time_zone text not null default '';

create temporary table budget_scope_zone on commit drop as
with recursive owners(scope, tenant_id) as (
  select s.scope, case when s.scope like 'ten:%' then substr(s.scope, 5) else k.tenant_id end
  from (select scope from budget_leases union select scope from budget_alerts) s
  left join gateway_keys k on s.scope like 'key:%' and k.id = substr(s.scope, 5)
), up(scope, parent_id, time_zone, depth) as (
  select o.scope, t.parent_id, t.time_zone, 0 from owners o join tenants t on t.id = o.tenant_id
  union all select up.scope, t.parent_id, t.time_zone, up.depth + 1 from tenants t join up on t.id = up.parent_id where up.depth < 8
)
select distinct on (scope) scope, coalesce(time_zone, 'UTC') as time_zone from up order by scope, depth desc;

update budget_leases b set time_zone = coalesce((select z.time_zone from budget_scope_zone z where z.scope = b.scope), 'UTC');
update budget_alerts a set time_zone = coalesce((select z.time_zone from budget_scope_zone z where z.scope = a.scope), 'UTC');

alter table budget_leases drop constraint budget_leases_pkey;
alter table budget_leases add primary key (scope, period, time_zone, region);
alter table budget_alerts drop constraint budget_alerts_scope_period_threshold_cap_key;
alter table budget_alerts add constraint budget_alerts_scope_period_zone_threshold_cap_key unique (scope, period, time_zone, threshold_percent, cap_micros);
