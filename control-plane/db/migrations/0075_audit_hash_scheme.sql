-- The audit chain was an unkeyed SHA-256, so anyone who could INSERT (the control plane's own role
-- included) could read the last hash, compute the next and append a row with its head that verified.
-- New rows are HMAC-SHA-256 under a key the control plane holds and the database does not
-- (AUDIT_HMAC_KEY or dataDir/audit-hmac.key). Each row says which: the rows already here, and any row
-- inserted without saying, are 'sha256'; verifyAuditChain accepts those only before the first keyed
-- row, so an unkeyed row after it breaks the chain there.
alter table audit_log add column hash_scheme text not null default 'sha256'
  constraint audit_log_hash_scheme check (hash_scheme in ('sha256', 'hmac-sha256'));
