-- revokeToken revokes every token minted with the revoked one, transitively (auth/revoke-minted-tokens.ts):
-- a recursive walk that looks tokens up by issued_with, once per level, under the config lock. Without
-- an index each level read the whole table, which keeps a row for every token ever issued (tokens live
-- an hour and are issued again and again): 159 ms a level at 200,000 tokens, 1.2 ms with this index.
-- Not CONCURRENTLY: migrate.ts runs every pending migration in one transaction, where PostgreSQL refuses
-- it, as the other index migrations here are written. The build holds off issueToken (a SHARE lock)
-- while it runs, once, at the upgrade.
create index issued_tokens_issued_with_idx on issued_tokens (issued_with);
