-- A usage event carries its attempt trail (each deployment tried or skipped, in order, with its outcome and
-- coded reason) and whether the answer came from a fallback; the ledger stored neither, so once a proxy's
-- outbox was acknowledged "why did request X fall back, and from what" could no longer be answered.
-- Null on every row before this migration and on events sent without them (older proxies). Adding a
-- nullable column without a default rewrites nothing and holds its lock only for the catalog change.
alter table usage_events add column attempt_trail jsonb, add column fallback boolean;
