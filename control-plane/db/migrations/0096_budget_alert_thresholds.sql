-- Budget alerts fire at 80% and at 100% of a cap, each once per level, period and cap
-- (control-plane/budgets/raise-alert.ts). Before, the unique (scope, period) key let the first alert of a
-- period, at 80%, lock out every later one: none when the budget was spent, none for a cap raised after it.
-- Every existing row is an 80% alert (the only threshold there was), so it keeps counting as one for its cap.
alter table budget_alerts add column threshold_percent integer;
update budget_alerts set threshold_percent = round(threshold * 100);
alter table budget_alerts alter column threshold_percent set not null;
alter table budget_alerts drop constraint budget_alerts_scope_period_key;
alter table budget_alerts add constraint budget_alerts_scope_period_threshold_cap_key unique (scope, period, threshold_percent, cap_micros);
