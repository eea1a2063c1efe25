-- How far each proxy's usage outbox had drained when it last polled its snapshot: the control plane's
-- receive time minus the x-usage-outbox-oldest-age-ms header (the age of the oldest usage event not yet
-- shipped, 0 when none), so every usage event the proxy recorded before it has shipped (null: the proxy
-- sent no age, as one older than the header). A region whose lease lapsed counts as heard from only once
-- every proxy of it seen since reported a drained_up_to past the lapse: a poll alone does not show its
-- usage has reached the ledger (control-plane/budgets/region-heard.repo.ts).
alter table proxies add column usage_drained_up_to timestamptz;
