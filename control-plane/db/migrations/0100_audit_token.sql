-- Which token an audited act was done with, and who issued it when that is not the actor: an admin may
-- issue a token in any principal's name (issueToken), and the act was then audited as that principal's
-- own, with nothing naming the token or its issuer. Hashed only when set (see audit-hash.ts), like
-- client_address and break_glass, so rows from before this migration (null here) verify unchanged and no
-- new hash_scheme is needed.
alter table audit_log add column token_id text;
alter table audit_log add column issued_by text;
