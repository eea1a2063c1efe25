-- issued_tokens.issuers (0111) has no default: every row must say who stands behind it. With the
-- '{}' default a row written without the column (a control plane of an older release sharing this
-- database during a rolling upgrade) read as issued by no one, and changes/approval-is-authors.ts
-- rule (b) missed its issuer, and every renewal's, for good. Such an insert now fails (NOT NULL), so
-- an old replica's issueToken errors until it is upgraded, instead of minting tokens rule (b) cannot
-- see through. auth/principal.repo.ts insertIssuedToken always fills it.
alter table issued_tokens alter column issuers drop default;
