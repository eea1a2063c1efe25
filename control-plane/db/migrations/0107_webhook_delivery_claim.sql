-- Who is POSTing a budget webhook delivery, and until when (control-plane/budgets/deliver-webhooks.ts).
-- A worker claims a due row with a token of its own for one POST's timeout plus a margin, and writes the
-- outcome only while the row still carries its token: a claim that lapsed (a stalled worker) and was
-- taken by another instance is not written over, and its attempt is not counted twice. Null: unclaimed.
alter table webhook_deliveries add column claimed_by text;
alter table webhook_deliveries add column claim_until timestamptz;
