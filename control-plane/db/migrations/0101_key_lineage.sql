-- A rotated key is the same key with a new secret: its budgets and rate limits must not start again.
-- Every key row carries lineage_id, the id of the key its rotations started from (its own id for a key
-- never rotated into; rotateKey gives the new key its predecessor's), and the key level of budgets,
-- rate limits, leases, alerts and spend.byKey is counted under `key:<lineage_id>`, which for a key never
-- rotated is the `key:<id>` it always was.
--
-- Keys that exist now keep lineage_id = id, rotated ones included: their leases and alerts of running
-- periods are keyed by each key's own scope, which a proxy keeps using for them; a chain rotated before
-- this migration stays counted per key, and its next rotation joins the lineage of the key rotated.
--
-- A row inserted without a lineage (a direct insert, a test) is its own lineage (trigger), so the
-- column is never null.
alter table gateway_keys add column lineage_id text;
update gateway_keys set lineage_id = id;
alter table gateway_keys alter column lineage_id set not null;
create index gateway_keys_lineage_idx on gateway_keys (lineage_id, created_at);

create function gateway_keys_own_lineage() returns trigger language plpgsql as $$
begin
  new.lineage_id := coalesce(new.lineage_id, new.id);
  return new;
end $$;
create trigger gateway_keys_own_lineage before insert on gateway_keys for each row execute function gateway_keys_own_lineage();
