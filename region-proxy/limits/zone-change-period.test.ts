/**
 * The proxy side of a time zone changed mid-period: a period key names its zone, so after the org's
 * snapshot moves from Asia/Tokyo to America/Los_Angeles the LA day 2026-03-09 is a counter of its own,
 * not the Tokyo day 2026-03-09's (spend the control plane books on LA's 2026-03-08).
 */
import { expect, test } from "bun:test";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { planLimits } from "./limit-plan.ts";
import { ORG, PROJECT, testKey, testSnapshot } from "./test-snapshot.ts";

test("after Tokyo -> Los Angeles, a fresh LA day is refused with the Tokyo day's spend", async () => {
  const ledger = createMemoryBudgetLedger();
  const tokyo = testSnapshot({ [ORG]: { timeZone: "Asia/Tokyo", budgets: { dailyMicros: 1_000_000 } } });
  const before = planLimits(tokyo, testKey(), PROJECT, null, new Date("2026-03-09T01:00:00Z")); // Tokyo 10:00 Mar 9; LA 18:00 Mar 8
  const spent = await ledger.reserve(before.budget, 1_000_000);
  if (!spent.ok) throw new Error("setup");
  await ledger.settle(spent.reservation, 1_000_000);

  const la = testSnapshot({ [ORG]: { timeZone: "America/Los_Angeles", budgets: { dailyMicros: 1_000_000 } } });
  const after = planLimits(la, testKey(), PROJECT, null, new Date("2026-03-09T14:00:00Z")); // LA 07:00 Mar 9: nothing spent in this LA day
  // The same date, a different 24 hours: a different period.
  expect([before.budget[0]!.period, after.budget[0]!.period]).toEqual(["day:2026-03-09@Asia/Tokyo", "day:2026-03-09@America/Los_Angeles"]);
  const result = await ledger.reserve(after.budget, 10);
  expect(result.ok).toBe(true);
  expect(await ledger.status(`ten:${ORG}`, before.budget[0]!.period)).toEqual({ spentMicros: 1_000_000, reservedMicros: 0 });
});
