-- Who stands behind a principal: who created it, who granted each role, who issued each token, each
-- with the token (jti) the act was done with, and which token an approval was given with. An approval
-- the author stands behind, directly or through principals and tokens it stands behind, counts as the
-- author's own (SELF_APPROVAL). Rows from before this migration carry null (unknown): no link.
alter table principals add column created_by text;
alter table principals add column created_with text;
alter table role_bindings add column granted_by text;
alter table role_bindings add column granted_with text;
alter table issued_tokens add column issued_by text;
alter table issued_tokens add column issued_with text;
alter table change_approvals add column jti text;
