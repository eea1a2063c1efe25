import { describe, expect, test } from "bun:test";
import { describeBudgetLedger } from "./budget-ledger.suite.ts";
import { createMemoryBudgetLedger, MAX_FINISHED_REMEMBERED } from "./memory-budget-ledger.ts";
import type { Reservation } from "./budget-types.ts";

describeBudgetLedger("in-process", {
  async pair(options) {
    const ledger = createMemoryBudgetLedger(options);
    return [ledger, ledger];
  },
});

describe("in-process budget ledger, bounded memory", () => {
  const DAY = "day:2026-11-26";

  test(`remembers the last ${MAX_FINISHED_REMEMBERED} finished reservations, not every one for as long as settledMemoryMs`, async () => {
    const ledger = createMemoryBudgetLedger();
    const checks = [{ scope: "key:many", period: DAY, capMicros: Number.MAX_SAFE_INTEGER }];
    const all: Reservation[] = [];
    for (let i = 0; i <= MAX_FINISHED_REMEMBERED; i++) {
      const result = await ledger.reserve(checks, 1);
      if (!result.ok) throw new Error("refused");
      all.push(result.reservation);
      await ledger.settle(result.reservation, 1);
    }
    expect(await ledger.status("key:many", DAY)).toEqual({ spentMicros: MAX_FINISHED_REMEMBERED + 1, reservedMicros: 0 });
    // The newest is still known: a repeat changes nothing.
    await ledger.settle(all.at(-1)!, 1);
    expect((await ledger.status("key:many", DAY)).spentMicros).toBe(MAX_FINISHED_REMEMBERED + 1);
    // The oldest was forgotten: a repeat that late counts as a late settle, once.
    await ledger.settle(all[0]!, 1);
    await ledger.settle(all[0]!, 1);
    expect((await ledger.status("key:many", DAY)).spentMicros).toBe(MAX_FINISHED_REMEMBERED + 2);
  });

  test("the reserved total follows reservations as they are taken, expire and finish in any order", async () => {
    const ledger = createMemoryBudgetLedger({ reservationTtlMs: 100 });
    const checks = [{ scope: "key:sum", period: DAY, capMicros: 10_000 }];
    const take = async (micros: number) => {
      const result = await ledger.reserve(checks, micros);
      if (!result.ok) throw new Error("refused");
      return result.reservation;
    };
    const first = await take(100);
    const second = await take(200);
    const third = await take(400);
    await ledger.release(second);
    expect(await ledger.status("key:sum", DAY)).toEqual({ spentMicros: 0, reservedMicros: 500 });
    await ledger.settle(third, 50);
    expect(await ledger.status("key:sum", DAY)).toEqual({ spentMicros: 50, reservedMicros: 100 });
    await Bun.sleep(150);
    const fourth = await take(1000);
    // `first` expired: only the new one is held.
    expect(await ledger.status("key:sum", DAY)).toEqual({ spentMicros: 50, reservedMicros: 1000 });
    await ledger.settle(first, 70);
    await ledger.settle(fourth, 900);
    expect(await ledger.status("key:sum", DAY)).toEqual({ spentMicros: 1020, reservedMicros: 0 });
  });
});
