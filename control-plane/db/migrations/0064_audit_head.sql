-- The audit chain links each row to the one before it, so deleting the newest rows left no trace.
-- Every append also writes the row's position in the chain (seq = rows up to and including it) and
-- its hash here, in the same transaction; verifyAuditChain requires every audit row to have its head
-- and every head its row. Append-only like audit_log: deleting a tail now means switching off two
-- triggers and rewriting two tables. It does not stop the database owner doing both (anchor the
-- newest id and hash outside the database for that; see GOVERNANCE.md).
create table audit_head (
  seq       bigint primary key,
  audit_id  bigint not null unique,
  hash      text not null
);

-- The rows already in the log get their heads now.
insert into audit_head (seq, audit_id, hash)
  select row_number() over (order by id), id, hash from audit_log;

create function audit_head_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_head is append-only: % refused', tg_op using errcode = '42501';
end
$$;
create trigger audit_head_append_only before update or delete or truncate on audit_head
  for each statement execute function audit_head_append_only();
