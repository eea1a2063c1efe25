/**
 * A scope's daily and monthly levels leased with the same room (equal caps get equal grants: the
 * control plane's first grant is a share of the cap): when the month's lease is exhausted and its spend
 * fills it, the refusal is judged on the month's lease. It was judged on the first level of that scope
 * and room, the day's, whose lease can grow: the request waited out maxWaitMs asking the day's lease to
 * grow and was answered 503 budget_unavailable (retry), where the month is spent for good (429).
 */
import { expect, test } from "bun:test";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import type { LeaseClient, LeaseView } from "./lease-client.ts";
import { createLeasedBudgets } from "./leased-budgets.ts";

const scope = "ten:ten_org";
const DAY = "day:2026-11-26@UTC";
const MONTH = "month:2026-11@UTC";

test("a spent month leased like the day is refused for good at once, named as the month", async () => {
  const lease = (exhausted: boolean): LeaseView => ({ managed: true, capMicros: 100_000, grantedMicros: 5_000, expiresAt: Date.now() + 60_000, exhausted, answeredAt: Date.now(), askedForCapMicros: 100_000 });
  const views: Record<string, LeaseView> = { [DAY]: lease(false), [MONTH]: lease(true) };
  const asked: string[] = [];
  const leases: LeaseClient = {
    view: (_scope, period) => views[period],
    ask: async (_scope, period) => void asked.push(period),
    noteReserved: () => {},
    stop: async () => {},
  };
  const ledger = createMemoryBudgetLedger();
  // The month's lease spent on earlier days.
  const earlier = await ledger.reserve([{ scope, period: MONTH, capMicros: 5_000 }], 5_000);
  if (!earlier.ok) throw new Error("could not spend the month");
  await ledger.settle(earlier.reservation, 5_000);

  // A wait far above the bound below, so that the bound has room on a loaded machine and a wait still fails it.
  const budgets = createLeasedBudgets(ledger, leases, { maxWaitMs: 10_000 });
  const started = Date.now();
  const refused = await budgets.reserve([{ scope, period: DAY, capMicros: 100_000 }, { scope, period: MONTH, capMicros: 100_000 }], 1_000);
  expect(refused).toMatchObject({ ok: false, scope, period: MONTH, spentMicros: 5_000, capMicros: 100_000 });
  expect("unavailable" in refused).toBe(false);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(asked).not.toContain(DAY);
}, 20_000);
