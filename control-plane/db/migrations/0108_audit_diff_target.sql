-- auditLog(target:) also finds the change requests that changed a target: their propose, rollback and
-- apply rows are targeted at the request's id, and the aliases, tenants, deployments and prices they
-- change stand only in after->'diff' (entries {entity, id, field, before, after}). This index answers
-- "which rows' diff names id X" (a containment test, jsonb_path_ops) without reading the whole log.
create index audit_log_diff_idx on audit_log using gin ((after -> 'diff') jsonb_path_ops);
