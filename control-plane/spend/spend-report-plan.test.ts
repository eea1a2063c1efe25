/**
 * A spend report (GraphQL `spend`, aggregateSpendGroups) over a tenant's subtree reads the asked range
 * of that subtree's events through usage_events_tenant_time_idx: its cost grows with the range asked,
 * not with every tenant's ledger of all time. rv-scale: the subtree listed by a recursive CTE inside the
 * report, which PostgreSQL cannot estimate, made a team's one-day report a Seq Scan of 1.5M events
 * (425 ms); the subtree is now resolved first and passed as an array.
 *
 * The plans are PostgreSQL's for the exact statement the report sends, over the few thousand events of
 * the plan database (testing/statement-plans.ts): enough for the old statement to plan a Seq Scan.
 */
import { expect, test } from "bun:test";
import { usePlanDatabase } from "../testing/statement-plans.ts";
import { aggregateSpendGroups } from "./spend.repo.ts";

const db = usePlanDatabase();
const from = new Date("2026-03-10T00:00:00Z");
const to = new Date("2026-03-11T00:00:00Z");

test("a team's and an org's one-day spend report read usage_events through its tenant and time index", async () => {
  for (const tenantId of ["ten_a1", "ten_a"]) {
    const statements = (await db.capture((q) => aggregateSpendGroups(q as never, tenantId, from, to))).filter((s) => s.query.includes("from usage_events"));
    expect(statements.length).toBe(1);
    const plan = await db.plan(statements[0]!);
    expect(plan).toContain("usage_events_tenant_time_idx");
    expect(plan).not.toContain("Seq Scan on usage_events");
  }
});

test("the report still sums the whole subtree and names only the subtree's keys", async () => {
  const groups = await aggregateSpendGroups(db.sql as never, "ten_a", from, to);
  const [raw] = await db.sql<[{ n: string }]>`
    select count(*)::text as n from usage_events where tenant_id in ('ten_a', 'ten_a1', 'ten_a2') and time >= ${from} and time < ${to}`;
  expect(groups.total?.requests).toBe(raw.n);
  expect(Number(raw.n)).toBeGreaterThan(0);
  expect(groups.key.map((k) => [k.key, k.name])).toEqual([["key_ten_a", "k"], ["key_ten_a1", "k"], ["key_ten_a2", "k"]]);
  const team = await aggregateSpendGroups(db.sql as never, "ten_a1", from, to);
  expect(team.key.map((k) => k.key)).toEqual(["key_ten_a1"]);
});
