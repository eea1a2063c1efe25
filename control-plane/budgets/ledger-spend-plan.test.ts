/**
 * A tenant level's ledger spend (ledgerSpendByRegion: every lease ask under the level's lock,
 * budgetStatus, late-batch alert checks) reads its period's buckets through usage_tenant_spend_buckets'
 * primary key (tenant_id, bucket_start, region) and its raw edge through usage_events' (tenant_id, time)
 * index, never by scanning every tenant's rows of all time. rv-scale: the subtree listed by a recursive
 * CTE inside the sum, which PostgreSQL cannot estimate, made it a Parallel Seq Scan of the whole bucket
 * table (110 ms at 1.5M events, growing with the table's history); the subtree is now resolved first and
 * passed as an array.
 *
 * The plans are PostgreSQL's for the exact statements the function sends, over the few thousand events
 * of the plan database (testing/statement-plans.ts): enough for the old statements to plan a Seq Scan.
 */
import { expect, test } from "bun:test";
import { usePlanDatabase } from "../testing/statement-plans.ts";
import { ledgerSpendByRegion, type BudgetLevel } from "./budget-level.repo.ts";

const db = usePlanDatabase();
const level = (tenantId: string, startDate: string, endDate: string): BudgetLevel => ({ tenantId, keyId: null, capMicros: 1_000_000, timeZone: "UTC", startDate, endDate });

/** The plans of the statements `work` sends that read a spend table. */
async function plansOf(work: Parameters<typeof db.capture>[0]): Promise<string[]> {
  const statements = (await db.capture(work)).filter((s) => /usage_events|usage_tenant_spend_buckets/.test(s.query) && /^\s*(with|select)/i.test(s.query));
  expect(statements.length).toBeGreaterThan(0);
  return Promise.all(statements.map((s) => db.plan(s)));
}

test("a team's and an org's day of ledger spend read the bucket table through its primary key", async () => {
  for (const tenantId of ["ten_a1", "ten_a"]) {
    const plans = await plansOf((q) => ledgerSpendByRegion(q as never, level(tenantId, "2026-03-10", "2026-03-11")));
    for (const plan of plans) {
      expect(plan).toContain("usage_tenant_spend_buckets_pkey");
      expect(plan).not.toContain("Seq Scan on usage_tenant_spend_buckets");
    }
  }
  // And the same sum as before: the subtree's buckets of that day, per region.
  const spend = await ledgerSpendByRegion(db.sql as never, level("ten_a", "2026-03-10", "2026-03-11"));
  const [raw] = await db.sql<[{ n: number }]>`
    select count(*)::int as n from usage_events where tenant_id in ('ten_a', 'ten_a1', 'ten_a2') and time >= '2026-03-10' and time < '2026-03-11'`;
  expect([...spend.values()].reduce((n, r) => n + r.rows, 0)).toBe(raw.n);
  expect(raw.n).toBeGreaterThan(0);
});

test("the raw edge of a period begun before the buckets were complete is read through usage_events' tenant and time index", async () => {
  const [{ since }] = await db.sql<[{ since: string }]>`select complete_since::text as since from usage_spend_buckets_complete`;
  await db.sql`update usage_spend_buckets_complete set complete_since = '2026-03-10T12:00:00Z'`;
  try {
    const statements = (await db.capture((q) => ledgerSpendByRegion(q as never, level("ten_b1", "2026-03-10", "2026-03-11")))).filter((s) => s.query.includes("usage_events"));
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      const plan = await db.plan(s);
      expect(plan).toContain("usage_events_tenant_time_idx");
      expect(plan).not.toContain("Seq Scan on usage_events");
      expect(plan).not.toContain("Seq Scan on usage_tenant_spend_buckets");
    }
  } finally {
    await db.sql`update usage_spend_buckets_complete set complete_since = ${since}::text::timestamptz`;
  }
});
