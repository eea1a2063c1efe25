-- The highest spend a region reported on a level above what it could have spent under its leases
-- (its grant plus the overrun allowance, or its ledger spend: control-plane/budgets/lease-reported-spend.ts).
-- Such a report is not believed; this keeps it for the record, and the control plane logs it when this is
-- still 0, so once per region, level and period.
alter table budget_leases add column ignored_reported_micros bigint not null default 0 check (ignored_reported_micros >= 0);
