-- The ledger's spend per 15 minutes and region, per key and per tenant, so a budget level's period is read
-- from a few thousand bucket rows (a month: 2,880 per key or tenant and region) instead of summing every
-- usage event in it under the level's lock (a tenant at ~1 req/s books millions a month: 1.5-6 s per lease
-- ask). Tenants have buckets of their own: a tenant spread over thousands of lightly used keys has about
-- as many key buckets as events.
--
-- 15 minutes: every current time zone's offset is a multiple of it, so a period starts and ends on bucket
-- edges in any zone (Asia/Kathmandu's +05:45 included); ledgerSpendByRegion reads the raw events of a
-- period's partial edge buckets should a boundary fall elsewhere (a historical local mean time).
--
-- Kept by a statement trigger on usage_events, in the transaction that writes the events: whatever
-- inserts (ingest, a test, a repair), updates or deletes ledger rows moves the buckets with it, and an
-- insert's ON CONFLICT DO NOTHING counts only the rows it stored (the transition table holds those alone).
-- Each statement upserts the key buckets it touches, then the tenant buckets, each once and in one order
-- (key or tenant, bucket, region), so concurrent batches over the same buckets never lock them in a cycle
-- (as ingest locks event ids and keys in order, usage.repo.ts). cost_micros is numeric, as sum(bigint)
-- is: legacy rows may cost up to bigint's maximum each.
--
-- No backfill from the events already stored: CREATE TRIGGER locks usage_events against inserts until
-- this migration commits (migrate.ts applies pending migrations in one transaction), and summing the
-- whole ledger under that lock held every ingest for ~5 us per stored event (16 s at 3M rows, hours at
-- billions), long enough for a control plane of the previous release, still serving in a rolling
-- upgrade, to run out of pool connections. Instead usage_spend_buckets_complete records the instant the
-- buckets are complete from, complete_since: clock_timestamp() taken after the CREATE TRIGGER statements
-- (every insert after it waited for this commit and fired the triggers) plus an hour, a margin for the
-- clock the events were booked by (ingest caps an event's time at its receipt plus 5 minutes,
-- bookingTime) against the database's; -infinity when usage_events is empty now, as every event is then
-- counted. ledgerSpendByRegion reads a period's part before complete_since from the raw events and its
-- part at or after it from the buckets. Buckets of times before complete_since are never read, and may
-- hold anything: only the events stored after the triggers, and negative counts or costs where an event
-- stored before them was later updated or deleted. (An event stored before this migration dated more than
-- an hour past it, which only a direct insert could book, would be missed by the buckets.)
create table usage_key_spend_buckets (
  key_id        text not null,
  bucket_start  timestamptz not null,
  region        text not null,
  cost_micros   numeric not null,
  events        bigint not null,
  primary key (key_id, bucket_start, region)
);
create table usage_tenant_spend_buckets (
  tenant_id     text not null,
  bucket_start  timestamptz not null,
  region        text not null,
  cost_micros   numeric not null,
  events        bigint not null,
  primary key (tenant_id, bucket_start, region)
);

create function usage_spend_bucket(t timestamptz) returns timestamptz language sql immutable parallel safe
  as $$ select date_bin('15 minutes', t, timestamptz '1970-01-01 00:00:00+00') $$;

-- Adds the statement's delta per bucket (rows stored +, rows removed -); a bucket an update or delete
-- leaves with no event is removed, so a region with no spend in a period reads as absent. EXECUTE, as the
-- transition tables a trigger names differ by operation (and are visible only in this function).
create function usage_spend_buckets_sync() returns trigger language plpgsql as $$
declare
  changes text := case TG_OP
    when 'INSERT' then 'select key_id, tenant_id, time, region, cost_micros::numeric as cost, 1 as n from new_rows'
    when 'UPDATE' then 'select key_id, tenant_id, time, region, cost_micros::numeric as cost, 1 as n from new_rows
                        union all select key_id, tenant_id, time, region, -cost_micros::numeric, -1 from old_rows'
    else 'select key_id, tenant_id, time, region, -cost_micros::numeric as cost, -1 as n from old_rows' end;
  owner text;
begin
  foreach owner in array array['key', 'tenant'] loop
    execute format($q$
      insert into usage_%1$s_spend_buckets as b (%1$s_id, bucket_start, region, cost_micros, events)
      select %1$s_id, usage_spend_bucket(time), region, sum(cost), sum(n) from (%2$s) r
      group by 1, 2, 3
      having sum(cost) <> 0 or sum(n) <> 0
      order by %1$s_id collate "C", usage_spend_bucket(time), region collate "C"
      on conflict (%1$s_id, bucket_start, region)
        do update set cost_micros = b.cost_micros + excluded.cost_micros, events = b.events + excluded.events
    $q$, owner, changes);
  end loop;
  if TG_OP <> 'INSERT' then
    foreach owner in array array['key', 'tenant'] loop
      execute format($q$
        delete from usage_%1$s_spend_buckets b where b.events = 0
          and (b.%1$s_id, b.bucket_start, b.region) in (select %1$s_id, usage_spend_bucket(time), region from old_rows)
      $q$, owner);
    end loop;
  end if;
  return null;
end $$;

create function usage_spend_buckets_truncate() returns trigger language plpgsql as $$
begin
  truncate usage_key_spend_buckets, usage_tenant_spend_buckets;
  return null;
end $$;

create trigger usage_spend_buckets_on_insert after insert on usage_events
  referencing new table as new_rows for each statement execute function usage_spend_buckets_sync();
create trigger usage_spend_buckets_on_update after update on usage_events
  referencing old table as old_rows new table as new_rows for each statement execute function usage_spend_buckets_sync();
create trigger usage_spend_buckets_on_delete after delete on usage_events
  referencing old table as old_rows for each statement execute function usage_spend_buckets_sync();
create trigger usage_spend_buckets_on_truncate after truncate on usage_events
  for each statement execute function usage_spend_buckets_truncate();

-- One row. After the triggers: see the top of this file.
create table usage_spend_buckets_complete (
  one            boolean primary key default true check (one),
  complete_since timestamptz not null
);
insert into usage_spend_buckets_complete (complete_since)
select case when exists (select from usage_events) then clock_timestamp() + interval '1 hour' else '-infinity' end;
