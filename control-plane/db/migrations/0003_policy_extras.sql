-- Per-key rate limits and budgets, and the tenant policy the limits step reads: fail-open on counter
-- outages and per-feature rate limits.
alter table gateway_keys add column rpm bigint check (rpm >= 0);
alter table gateway_keys add column tpm bigint check (tpm >= 0);
alter table gateway_keys add column daily_budget_micros bigint check (daily_budget_micros >= 0);
alter table gateway_keys add column monthly_budget_micros bigint check (monthly_budget_micros >= 0);

alter table tenants add column budget_fail_open boolean;
-- {"<feature id>": {"rpm": n | null, "tpm": n | null}}
alter table tenants add column feature_limits jsonb;
