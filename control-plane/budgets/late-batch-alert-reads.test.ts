/**
 * A usage batch of a closed period (an outbox replayed after an outage) has its alerts checked inside
 * the ingest transaction (raiseUsageAlerts), one ledger sum per capped level it touches, while the
 * batch holds its key and bucket row locks. rv-scale: each tenant level's sum scanned the whole bucket
 * table, and a 500-event batch over 50 capped tenants took 7-12 s, past the proxy's 10 s send timeout.
 * Now the batch walks the tenant tree once for all its levels and each level's sum reads its period
 * through the bucket table's primary key.
 */
import { expect, test } from "bun:test";
import { PLAN_TENANTS, usePlanDatabase } from "../testing/statement-plans.ts";
import { raiseUsageAlerts } from "./raise-usage-alerts.ts";

const db = usePlanDatabase();

test("a late batch over nine capped tenants walks the tenant tree once and reads each level's buckets through the primary key", async () => {
  await db.sql`update tenants set daily_budget_micros = 1000000000`;
  try {
    const events = PLAN_TENANTS.map((tenantId) => ({ tenantId, keyId: `key_${tenantId}`, time: new Date("2026-03-10T08:00:00Z") }));
    const statements = await db.capture((q) => q.begin((tx) => raiseUsageAlerts(tx as never, events)));
    // Nine day levels (each team's and each org's): one walk down the tree for the batch, not one per level.
    expect(statements.filter((s) => /with recursive/i.test(s.query) && /parent_id = sub\.id/i.test(s.query)).length).toBe(1);
    const reads = statements.filter((s) => s.query.includes("usage_tenant_spend_buckets"));
    expect(reads.length).toBe(PLAN_TENANTS.length);
    for (const s of reads) {
      const plan = await db.plan(s);
      expect(plan).toContain("usage_tenant_spend_buckets_pkey");
      expect(plan).not.toContain("Seq Scan on usage_tenant_spend_buckets");
    }
  } finally {
    await db.sql`update tenants set daily_budget_micros = null`;
  }
});
