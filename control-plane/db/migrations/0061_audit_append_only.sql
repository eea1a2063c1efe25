-- The audit log is append-only in the database itself, not only by convention: UPDATE, DELETE and
-- TRUNCATE are refused for every role the control plane connects as. The hash chain still detects
-- tampering by whoever can disable this trigger (the table owner); the trigger makes it deliberate.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % refused', tg_op using errcode = '42501';
end
$$;
create trigger audit_log_append_only before update or delete or truncate on audit_log
  for each statement execute function audit_log_append_only();
