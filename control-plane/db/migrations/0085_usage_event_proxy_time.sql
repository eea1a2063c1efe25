-- An event's time is the proxy's clock, and the ledger books usage by it (budgets, leases, spend all read
-- usage_events.time). A proxy whose clock ran ahead booked usage in a period not yet begun (an event dated
-- 9999-12-31 was never counted in any budget). The control plane now books an event dated more than five
-- minutes after it was received at the time it was received (time = received_at) and keeps the time the
-- proxy sent here; null when the event was booked at its own time (every row before this migration).
alter table usage_events add column proxy_time timestamptz;
