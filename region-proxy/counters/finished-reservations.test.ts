/**
 * The memory ledger's repeat-settle guarantee with finished reservations kept by counter
 * (finished-reservations.ts): an id a caller chose is its own even when it is built from one of ours
 * (never read as one of this process's counters), and a reservation that outlives 10,000 others is
 * still settled once.
 */
import { expect, test } from "bun:test";
import { createMemoryBudgetLedger } from "./memory-budget-ledger.ts";
import type { BudgetLedger, Reservation } from "./budget-types.ts";

const DAY = "day:2026-11-26";

async function take(ledger: BudgetLedger, scope: string, micros: number, id?: string): Promise<Reservation> {
  const result = await ledger.reserve([{ scope, period: DAY, capMicros: Number.MAX_SAFE_INTEGER }], micros, id === undefined ? undefined : { id });
  if (!result.ok) throw new Error("refused");
  return result.reservation;
}

test("a caller-chosen id echoing this process's prefix with counter 0 is settled (first settle not dropped)", async () => {
  const ledger = createMemoryBudgetLedger();
  const own = await take(ledger, "key:p0", 1);
  const prefix = own.id.slice(0, own.id.lastIndexOf(".") + 1);
  const chosen = await take(ledger, "key:p0", 500, `${prefix}0`);
  await ledger.settle(chosen, 400);
  // Read as counter 0 of ours, the first settle was taken for a repeat (spent 0, 501 held).
  expect(await ledger.status("key:p0", DAY)).toEqual({ spentMicros: 400, reservedMicros: 1 });
});

test("a caller id derived from one of ours (`${id}-retry`) is its own reservation, not a repeat of ours", async () => {
  const ledger = createMemoryBudgetLedger();
  const own = await take(ledger, "key:derived", 100);
  await ledger.settle(own, 100);
  const derived = await take(ledger, "key:derived", 200, `${own.id}-retry`);
  await ledger.settle(derived, 200);
  // Read as `own`'s counter (parseInt stops at '-'), the settle was dropped (spent 100, 200 held).
  expect(await ledger.status("key:derived", DAY)).toEqual({ spentMicros: 300, reservedMicros: 0 });
});

test("a reservation that outlives 10,000 others settles once, its repeat is a no-op; a stranger's id counts once", async () => {
  const ledger = createMemoryBudgetLedger();
  const old = await take(ledger, "key:outlive", 7);
  for (let i = 0; i < 10_001; i++) await ledger.settle(await take(ledger, "key:churn", 1), 1);
  await ledger.settle(old, 7);
  await ledger.settle(old, 7);
  await ledger.release(old);
  expect(await ledger.status("key:outlive", DAY)).toEqual({ spentMicros: 7, reservedMicros: 0 });
  const stranger: Reservation = { id: "res_0123456789abcdef.1", checks: [{ scope: "key:outlive", period: DAY, capMicros: 1e9 }], micros: 0 };
  await ledger.settle(stranger, 5);
  await ledger.settle(stranger, 5);
  expect((await ledger.status("key:outlive", DAY)).spentMicros).toBe(12);
});
