-- The token (jti) a change request was proposed with. An approval counts as the author's own when
-- either party stands behind the other: the author behind the approver or its token, or the approver
-- behind the author or the token the author proposed with (a principal or token the approver made).
-- Null for the bootstrap token and for requests from before this migration (no token link).
alter table change_requests add column author_jti text;
