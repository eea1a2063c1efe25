import { afterEach, describe, expect, setSystemTime, test } from "bun:test";
import { describeBudgetLedger } from "./budget-ledger.suite.ts";
import { createMemoryBudgetLedger, MAX_FINISHED_REMEMBERED } from "./memory-budget-ledger.ts";
import type { BudgetLedger, Reservation } from "./budget-types.ts";

describeBudgetLedger("in-process", {
  async pair(options) {
    const ledger = createMemoryBudgetLedger(options);
    return [ledger, ledger];
  },
});

const DAY = "day:2026-11-26";

/**
 * The ledger reads Date.now(): the tests below set the system clock instead of sleeping, so a stalled
 * machine cannot move time between two steps (a 50 ms stall failed a 200 ms hold checked after 150 ms).
 */
function clock() {
  let now = Date.parse("2026-11-26T12:00:00Z");
  setSystemTime(new Date(now));
  return {
    advance(ms: number) {
      now += ms;
      setSystemTime(new Date(now));
    },
  };
}
afterEach(() => {
  setSystemTime();
});

/** Reserves `micros` on one level of `scope` (cap 10,000) and returns the reservation; throws if refused. */
function taker(ledger: BudgetLedger, scope: string) {
  return async (micros: number): Promise<Reservation> => {
    const result = await ledger.reserve([{ scope, period: DAY, capMicros: 10_000 }], micros);
    if (!result.ok) throw new Error("refused");
    return result.reservation;
  };
}

describe("in-process budget ledger, bounded memory", () => {

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
    const time = clock();
    const ledger = createMemoryBudgetLedger({ reservationTtlMs: 300 });
    const take = taker(ledger, "key:sum");
    const first = await take(100);
    const second = await take(200);
    const third = await take(400);
    await ledger.release(second);
    expect(await ledger.status("key:sum", DAY)).toEqual({ spentMicros: 0, reservedMicros: 500 });
    await ledger.settle(third, 50);
    expect(await ledger.status("key:sum", DAY)).toEqual({ spentMicros: 50, reservedMicros: 100 });
    time.advance(400);
    const fourth = await take(1000);
    // `first` expired: only the new one is held.
    expect(await ledger.status("key:sum", DAY)).toEqual({ spentMicros: 50, reservedMicros: 1000 });
    await ledger.settle(first, 70);
    await ledger.settle(fourth, 900);
    expect(await ledger.status("key:sum", DAY)).toEqual({ spentMicros: 1020, reservedMicros: 0 });
  });
});

describe("in-process budget ledger, expiry of holds", () => {
  // Holds are walked for expiry only once the oldest may have expired; each later hold must still expire on time.
  test("holds expire in turn, whichever finished first, and a level emptied and refilled starts over", async () => {
    const time = clock();
    const ledger = createMemoryBudgetLedger({ reservationTtlMs: 200 });
    const take = taker(ledger, "key:turns");
    const reserved = async () => (await ledger.status("key:turns", DAY)).reservedMicros;
    const oldest = await take(1);
    time.advance(100);
    await take(10);
    await ledger.settle(oldest, 0);
    time.advance(150); // past the oldest's expiry, not the second's
    expect(await reserved()).toBe(10);
    time.advance(49); // 1 ms before the second's
    expect(await reserved()).toBe(10);
    time.advance(1); // at the second's
    expect(await reserved()).toBe(0);
    await take(100);
    expect(await reserved()).toBe(100);
    time.advance(199);
    expect(await reserved()).toBe(100);
    time.advance(1);
    expect(await reserved()).toBe(0);
  });
});

describe("in-process budget ledger, idle levels", () => {
  test("a level untouched for idleLevelMs is forgotten once the table grows; a level in use is kept", async () => {
    const time = clock();
    const ledger = createMemoryBudgetLedger({ idleLevelMs: 300 });
    const spend = async (scope: string, period: string, micros: number) => {
      const result = await ledger.reserve([{ scope, period, capMicros: 1_000_000 }], micros);
      if (!result.ok) throw new Error("refused");
      await ledger.settle(result.reservation, micros);
    };
    // Yesterday's levels of 1,000 keys, and one level still in use.
    for (let i = 0; i < 1_000; i++) await spend(`key:${i}`, "day:2026-11-25", 5);
    await spend("key:busy", "month:2026-11", 7);
    time.advance(350);
    await spend("key:busy", "month:2026-11", 7);
    // Today's levels: new levels are what look for idle ones, once the table has doubled (2,000 here).
    for (let i = 0; i < 1_000; i++) await spend(`key:${i}`, "day:2026-11-26", 1);
    expect(await ledger.status("key:0", "day:2026-11-25")).toEqual({ spentMicros: 0, reservedMicros: 0 });
    expect(await ledger.status("key:busy", "month:2026-11")).toEqual({ spentMicros: 14, reservedMicros: 0 });
    expect(await ledger.status("key:3", "day:2026-11-26")).toEqual({ spentMicros: 1, reservedMicros: 0 });
  });

  test("a level holding a live reservation is not forgotten, however idle", async () => {
    const time = clock();
    const ledger = createMemoryBudgetLedger({ idleLevelMs: 20, reservationTtlMs: 60_000 });
    const held = await ledger.reserve([{ scope: "key:held", period: "day:2026-11-26", capMicros: 1_000 }], 400);
    if (!held.ok) throw new Error("refused");
    time.advance(40);
    for (let i = 0; i < 2_100; i++) await ledger.reserve([{ scope: `key:${i}`, period: "day:2026-11-26", capMicros: 1_000 }], 1);
    // Still holding the 400: forgetting the level would have dropped the reservation from the cap.
    expect(await ledger.status("key:held", "day:2026-11-26")).toEqual({ spentMicros: 0, reservedMicros: 400 });
    await ledger.settle(held.reservation, 300);
    expect(await ledger.status("key:held", "day:2026-11-26")).toEqual({ spentMicros: 300, reservedMicros: 0 });
  });
});
