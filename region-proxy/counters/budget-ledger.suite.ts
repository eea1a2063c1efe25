/**
 * The one test suite every BudgetLedger must pass (in-process and Redis run the same assertions).
 * `pair()` returns two ledgers sharing state as two replicas would (the in-process one: the same
 * instance twice).
 */
import { describe, expect, test } from "bun:test";
import type { BudgetCheck, BudgetLedger, BudgetLedgerOptions, Reservation } from "./budget-types.ts";

export interface BudgetLedgerHarness {
  pair(options?: BudgetLedgerOptions): Promise<[BudgetLedger, BudgetLedger]>;
}

const DAY = "day:2026-11-25";

function reserved(result: Awaited<ReturnType<BudgetLedger["reserve"]>>): Reservation {
  if (!result.ok) throw new Error(`expected a reservation, refused at ${result.scope}`);
  return result.reservation;
}

export function describeBudgetLedger(name: string, harness: BudgetLedgerHarness): void {
  describe(`${name} budget ledger`, () => {
    test("500 concurrent reserves from two replicas never exceed the cap, and fill it", async () => {
      const [a, b] = await harness.pair();
      const cap = 1_000_000;
      const checks: BudgetCheck[] = [{ scope: "team:conc", period: DAY, capMicros: cap }, { scope: "org:conc", period: DAY, capMicros: 50 * cap }];
      const sizes = Array.from({ length: 500 }, (_, i) => 1000 + ((i * 7919) % 9000));
      const results = await Promise.all(sizes.map((micros, i) => (i % 2 ? a : b).reserve(checks, micros)));
      const granted = results.reduce((sum, r, i) => sum + (r.ok ? sizes[i]! : 0), 0);
      expect(granted).toBeLessThanOrEqual(cap);
      expect(await a.status("team:conc", DAY)).toEqual({ spentMicros: 0, reservedMicros: granted });
      expect(await b.status("org:conc", DAY)).toEqual({ spentMicros: 0, reservedMicros: granted });
      const refused = results.flatMap((r, i) => (r.ok ? [] : [{ r, micros: sizes[i]! }]));
      expect(refused.length).toBeGreaterThan(0);
      for (const { r, micros } of refused) {
        // Balances only grow during the run, so a refusal means this size did not fit in what was left at the end.
        expect(micros).toBeGreaterThan(cap - granted);
        if (!r.ok) expect(r).toMatchObject({ scope: "team:conc", capMicros: cap, spentMicros: 0 });
      }
    });

    test("settle turns the reservation into the actual spend, lower or higher", async () => {
      const [ledger] = await harness.pair();
      const checks = [{ scope: "key:settle", period: DAY, capMicros: 10_000 }];
      const first = reserved(await ledger.reserve(checks, 1000));
      expect(await ledger.status("key:settle", DAY)).toEqual({ spentMicros: 0, reservedMicros: 1000 });
      await ledger.settle(first, 600);
      expect(await ledger.status("key:settle", DAY)).toEqual({ spentMicros: 600, reservedMicros: 0 });
      const second = reserved(await ledger.reserve(checks, 1000));
      await ledger.settle(second, 1500);
      expect(await ledger.status("key:settle", DAY)).toEqual({ spentMicros: 2100, reservedMicros: 0 });
    });

    test("a second settle or release changes nothing", async () => {
      const [a, b] = await harness.pair();
      const checks = [{ scope: "key:twice", period: DAY, capMicros: 10_000 }];
      const settled = reserved(await a.reserve(checks, 1000));
      await a.settle(settled, 800);
      await b.settle(settled, 800);
      await b.release(settled);
      const released = reserved(await a.reserve(checks, 2000));
      const kept = reserved(await a.reserve(checks, 300));
      await a.release(released);
      await b.release(released);
      await b.settle(released, 2000);
      expect(await a.status("key:twice", DAY)).toEqual({ spentMicros: 800, reservedMicros: 300 });
      await a.release(kept);
      expect(await a.status("key:twice", DAY)).toEqual({ spentMicros: 800, reservedMicros: 0 });
    });

    test("a level named twice in one request is reserved and settled once, under the lower cap", async () => {
      const [a, b] = await harness.pair();
      const twice = [
        { scope: "team:dup", period: DAY, capMicros: 5_000 },
        { scope: "org:dup", period: DAY, capMicros: 100_000 },
        { scope: "team:dup", period: DAY, capMicros: 1_000 },
      ];
      expect((await a.reserve(twice, 1_001)).ok).toBe(false);
      const one = reserved(await a.reserve(twice, 600));
      expect(await b.status("team:dup", DAY)).toEqual({ spentMicros: 0, reservedMicros: 600 });
      await b.settle(one, 500);
      expect(await a.status("team:dup", DAY)).toEqual({ spentMicros: 500, reservedMicros: 0 });
      expect(await a.status("org:dup", DAY)).toEqual({ spentMicros: 500, reservedMicros: 0 });
      // The same scope in another period is another level.
      const periods = [{ scope: "team:dup", period: DAY, capMicros: 1_000 }, { scope: "team:dup", period: "month:2026-11", capMicros: 1_000 }];
      reserved(await a.reserve(periods, 400));
      expect(await a.status("team:dup", "month:2026-11")).toEqual({ spentMicros: 0, reservedMicros: 400 });
      expect(await a.status("team:dup", DAY)).toEqual({ spentMicros: 500, reservedMicros: 400 });
    });

    test("a cap that is not a whole, non-negative number of micros is refused", async () => {
      const [a] = await harness.pair();
      for (const capMicros of [-1, 1.5, Number.NaN]) {
        await expect(a.reserve([{ scope: "key:badcap", period: DAY, capMicros }], 1)).rejects.toThrow(TypeError);
      }
    });

    test("a refusal at one level reserves nothing anywhere and says why", async () => {
      const [ledger] = await harness.pair();
      const key = { scope: "key:refuse", period: DAY, capMicros: 100_000 };
      const team = { scope: "team:refuse", period: DAY, capMicros: 1000 };
      await ledger.settle(reserved(await ledger.reserve([team], 700)), 700);
      const held = reserved(await ledger.reserve([team], 100));
      const refused = await ledger.reserve([key, team], 201);
      // The spend alone (700 + 201 ≤ 1000) leaves room: refused only for the reservation in flight.
      expect(refused).toEqual({ ok: false, scope: "team:refuse", period: DAY, spentMicros: 700, reservedMicros: 100, capMicros: 1000, heldByReservations: true });
      // 700 + 301 > 1000: the spend leaves no room, an exhausted level (no flag).
      expect(await ledger.reserve([key, team], 301)).toEqual({ ok: false, scope: "team:refuse", period: DAY, spentMicros: 700, reservedMicros: 100, capMicros: 1000 });
      expect(await ledger.status("key:refuse", DAY)).toEqual({ spentMicros: 0, reservedMicros: 0 });
      expect((await ledger.reserve([key, team], 200)).ok).toBe(true);
      await ledger.release(held);
      expect(await ledger.status("team:refuse", DAY)).toEqual({ spentMicros: 700, reservedMicros: 200 });
      await expect(ledger.reserve([key], -1)).rejects.toThrow(TypeError);
      await expect(ledger.reserve([key], 1.5)).rejects.toThrow(TypeError);
    });

    test("a nearer level only held and a later level spent: refused as spent there, not as held", async () => {
      const [a, b] = await harness.pair();
      const key = { scope: "key:hvs", period: DAY, capMicros: 1_000 };
      const project = { scope: "project:hvs", period: DAY, capMicros: 100_000 };
      const org = { scope: "org:hvs", period: DAY, capMicros: 10_000 };
      const orgMonth = { scope: "org:hvs", period: "month:2026-11", capMicros: 10_000 };
      // Replica b spends the org's day to its cap through another key.
      await b.settle(reserved(await b.reserve([{ scope: "key:other", period: DAY, capMicros: 100_000 }, org], 10_000)), 10_000);
      // A call in flight on replica a holds the key's room (the spend leaves it room).
      const running = reserved(await a.reserve([key], 900));
      // Key held (0 + 500 ≤ 1000), project free, org spent (10,000 + 500 > 10,000): no wait lets it pass.
      expect(await a.reserve([key, project, org], 500)).toEqual({ ok: false, scope: "org:hvs", period: DAY, spentMicros: 10_000, reservedMicros: 0, capMicros: 10_000 });
      // Nothing was reserved on any level by the refusals.
      expect(await b.status("project:hvs", DAY)).toEqual({ spentMicros: 0, reservedMicros: 0 });
      expect(await b.status("key:hvs", DAY)).toEqual({ spentMicros: 0, reservedMicros: 900 });
      // Day held, month spent, the same scope: the month answers.
      const day = { scope: "team:hvs", period: DAY, capMicros: 1_000 };
      const month = { scope: "team:hvs", period: "month:2026-11", capMicros: 1_000 };
      await b.settle(reserved(await b.reserve([month], 1_000)), 1_000);
      const dayHeld = reserved(await a.reserve([day], 900));
      expect(await a.reserve([day, month], 200)).toEqual({ ok: false, scope: "team:hvs", period: "month:2026-11", spentMicros: 1_000, reservedMicros: 0, capMicros: 1_000 });
      // Every refusing level only held: the first one answers, held (retryable).
      const held = reserved(await b.reserve([orgMonth], 9_000));
      expect(await a.reserve([key, project, orgMonth], 500)).toEqual({ ok: false, scope: "key:hvs", period: DAY, spentMicros: 0, reservedMicros: 900, capMicros: 1_000, heldByReservations: true });
      // The first refusing level spent: it answers, whatever follows.
      expect(await a.reserve([org, key], 500)).toEqual({ ok: false, scope: "org:hvs", period: DAY, spentMicros: 10_000, reservedMicros: 0, capMicros: 10_000 });
      await a.release(running);
      await a.release(dayHeld);
      await b.release(held);
      expect((await a.reserve([key, project, orgMonth], 500)).ok).toBe(true);
    });

    test("repair sets spend by version; an older version is ignored", async () => {
      const [a, b] = await harness.pair();
      await a.repair("org:repair", DAY, 9000, 5);
      expect(await b.status("org:repair", DAY)).toEqual({ spentMicros: 9000, reservedMicros: 0 });
      await b.repair("org:repair", DAY, 100, 3);
      await b.repair("org:repair", DAY, 100, 5);
      expect(await a.status("org:repair", DAY)).toEqual({ spentMicros: 9000, reservedMicros: 0 });
      await b.repair("org:repair", DAY, 200, 6);
      expect(await a.status("org:repair", DAY)).toEqual({ spentMicros: 200, reservedMicros: 0 });
      expect(await a.status("org:repair", "day:2026-11-26")).toEqual({ spentMicros: 0, reservedMicros: 0 });
    });

    test("an abandoned reservation expires after its TTL; a late settle still counts once", async () => {
      // A TTL far above a stalled CI machine's pauses: the refusal below must run while both holds live.
      const [a, b] = await harness.pair({ reservationTtlMs: 1_000 });
      const checks = [{ scope: "key:ttl", period: DAY, capMicros: 1000 }];
      const abandoned = reserved(await a.reserve(checks, 800));
      const late = reserved(await a.reserve(checks, 200));
      expect((await b.reserve(checks, 1)).ok).toBe(false);
      await Bun.sleep(1_100);
      expect(await b.status("key:ttl", DAY)).toEqual({ spentMicros: 0, reservedMicros: 0 });
      await b.settle(late, 150);
      await a.settle(late, 150);
      expect(await a.status("key:ttl", DAY)).toEqual({ spentMicros: 150, reservedMicros: 0 });
      expect((await b.reserve(checks, 850)).ok).toBe(true);
      await a.release(abandoned);
      expect(await a.status("key:ttl", DAY)).toEqual({ spentMicros: 150, reservedMicros: 850 });
    });
    test("a reservation's own lifetime overrides the ledger's, and a long one taken first does not keep later short ones", async () => {
      const [a, b] = await harness.pair({ reservationTtlMs: 1_000 });
      const checks = [{ scope: "key:lifetime", period: DAY, capMicros: 1000 }];
      // A request allowed an hour holds its worst case for as long; others around it keep the default.
      const long = reserved(await a.reserve(checks, 500, { ttlMs: 3_600_000 }));
      reserved(await a.reserve(checks, 300, { ttlMs: 1_000 }));
      reserved(await a.reserve(checks, 100));
      expect((await b.reserve(checks, 101)).ok).toBe(false);
      await Bun.sleep(1_100);
      expect(await b.status("key:lifetime", DAY)).toEqual({ spentMicros: 0, reservedMicros: 500 });
      expect((await b.reserve(checks, 501)).ok).toBe(false);
      const fits = reserved(await b.reserve(checks, 500));
      await a.release(long);
      await b.release(fits);
      expect(await a.status("key:lifetime", DAY)).toEqual({ spentMicros: 0, reservedMicros: 0 });
      for (const ttlMs of [0, -1, 1.5, Number.NaN]) await expect(a.reserve(checks, 1, { ttlMs })).rejects.toThrow(TypeError);
    });
    test("however many reservations expired at once (a crashed replica's), none of them still counts", async () => {
      const [a, b] = await harness.pair({ reservationTtlMs: 1_000 });
      const checks = [{ scope: "team:crash", period: DAY, capMicros: 3000 }];
      const holds = await Promise.all(Array.from({ length: 300 }, () => a.reserve(checks, 10)));
      expect(holds.every((h) => h.ok)).toBe(true);
      expect((await b.reserve(checks, 10)).ok).toBe(false);
      await Bun.sleep(1_100);
      // All 300 holds are past their TTL: the whole cap is free again at the first look.
      const after = await b.reserve(checks, 3000);
      expect(after.ok).toBe(true);
      if (after.ok) await b.release(after.reservation);
      expect(await a.status("team:crash", DAY)).toEqual({ spentMicros: 0, reservedMicros: 0 });
    });
  });
}
