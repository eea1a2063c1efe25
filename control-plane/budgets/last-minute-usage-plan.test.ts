/**
 * budgetStatus's last minute of a tenant's subtree (subtreeLastMinuteUsage) reads usage_events through
 * its (tenant_id, time) index on both columns: the subtree's ids bound the scan, not only the time. With
 * the subtree listed by a recursive CTE inside the sum, which PostgreSQL cannot estimate, the plan was
 * whatever the guess made it: over a small ledger a scan of the whole index filtered by time.
 */
import { expect, test } from "bun:test";
import { usePlanDatabase } from "../testing/statement-plans.ts";
import { subtreeLastMinuteUsage } from "./last-minute-usage.repo.ts";

const db = usePlanDatabase();

test("a subtree's last minute is read through the tenant and time index by tenant, and sums the whole subtree", async () => {
  await db.sql`
    insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
      input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
    select 'evt_now_' || t, now() - interval '5 seconds', 'req', 'eu', 1, t, 'key_' || t, 'chat', 'chat', false, 10, 5, 0, 0, 0, 5, 5, 'ok', 1
    from unnest(array['ten_a', 'ten_a1', 'ten_a2', 'ten_b1']) t`;
  for (const tenantId of ["ten_a1", "ten_a"]) {
    const statements = (await db.capture((q) => subtreeLastMinuteUsage(q as never, tenantId))).filter((s) => s.query.includes("usage_events"));
    expect(statements.length).toBe(1);
    const plan = await db.plan(statements[0]!);
    expect(plan).not.toContain("Seq Scan on usage_events");
    expect(plan).toMatch(/Index Cond: \(\(tenant_id = ANY/);
  }
  expect(await subtreeLastMinuteUsage(db.sql as never, "ten_a")).toEqual({ requests: 3, tokens: 45 });
  expect(await subtreeLastMinuteUsage(db.sql as never, "ten_a1")).toEqual({ requests: 1, tokens: 15 });
});
