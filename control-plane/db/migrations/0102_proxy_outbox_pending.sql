-- What each proxy's usage outbox held, not yet shipped, when it last polled its snapshot (the
-- x-usage-outbox-pending header; null: the proxy sent none, as one older than the header). A region
-- whose lease lapsed counts as heard from only once every proxy of it seen since reported 0: a poll
-- alone does not show its usage has reached the ledger (control-plane/budgets/region-heard.repo.ts).
alter table proxies add column usage_outbox_pending bigint;
