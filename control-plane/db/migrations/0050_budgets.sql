-- Global budgets across regions: per-region leases, 80% alerts, and webhook deliveries that survive restarts.

-- One row per (budget level, region): the region's cumulative allowance for the period. The control plane
-- keeps sum over regions of max(granted, spent) <= the cap; spent is max(ledger, what the region reported).
create table budget_leases (
  scope                  text not null,
  period                 text not null,
  region                 text not null references regions(name),
  granted_micros         bigint not null default 0 check (granted_micros >= 0),
  reported_spent_micros  bigint not null default 0 check (reported_spent_micros >= 0),
  -- Recent spend rate (EWMA of reported spend per second): sizes the next grant.
  rate_micros_per_s      double precision not null default 0,
  expires_at             timestamptz not null,
  updated_at             timestamptz not null default now(),
  primary key (scope, period, region)
);

-- One alert per budget level and period: the unique key makes a second crossing a no-op.
create table budget_alerts (
  id            text primary key,
  tenant_id     text not null,
  scope         text not null,
  period        text not null,
  threshold     double precision not null,
  cap_micros    bigint not null,
  spent_micros  bigint not null,
  created_at    timestamptz not null default now(),
  unique (scope, period)
);
create index budget_alerts_tenant_idx on budget_alerts (tenant_id, created_at);

-- Each alert's POST to the configured webhook, retried with backoff until delivered or given up.
create table webhook_deliveries (
  id               bigserial primary key,
  alert_id         text not null unique references budget_alerts(id),
  url              text not null,
  payload          jsonb not null,
  status           text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts         integer not null default 0,
  next_attempt_at  timestamptz not null default now(),
  last_error       text,
  delivered_at     timestamptz,
  created_at       timestamptz not null default now()
);
create index webhook_deliveries_due_idx on webhook_deliveries (status, next_attempt_at);

-- Key budgets sum one key's spend in a period (lease answers, status): without this, a scan of the ledger.
create index usage_events_key_time_idx on usage_events (key_id, time);
