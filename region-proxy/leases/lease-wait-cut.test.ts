/**
 * leased-budgets.ts `ends` (the proxy's InFlight.limitWaits): a reservation that waits, for its lease
 * or for other reservations to settle, holds the end of its wait there while it waits, and calling it
 * ends the wait at once (refused as undecided: the route answers 503 shutting_down). A reservation that
 * fits at once holds nothing; one that is done holds nothing any more.
 */
import { expect, test } from "bun:test";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import type { LeaseClient, LeaseView } from "./lease-client.ts";
import { createLeasedBudgets } from "./leased-budgets.ts";

const period = "day:2026-11-28";
const check = { scope: "ten:t1", period, capMicros: 100_000 };
const lease = (grantedMicros: number): LeaseView => ({ managed: true, capMicros: 100_000, grantedMicros, expiresAt: Date.now() + 60_000, exhausted: false, answeredAt: Date.now(), askedForCapMicros: 100_000 });

/** A lease client whose asks are never answered; `views` is what it holds. */
function silentLeases(views: Record<string, LeaseView | undefined>): LeaseClient & { asks: number } {
  const client = {
    asks: 0,
    view: (scope: string) => views[scope],
    ask: () => (client.asks++, new Promise<void>(() => {})),
    noteReserved: () => {},
    stop: async () => {},
  };
  return client;
}

const cut = (ends: Set<() => void>) => {
  for (const end of ends) end();
};

test("a reservation that fits holds no end; one waiting for its first lease is ended at once by the cut", async () => {
  const ends = new Set<() => void>();
  const views: Record<string, LeaseView | undefined> = { "ten:fits": lease(50_000) };
  const leases = silentLeases(views);
  const budgets = createLeasedBudgets(createMemoryBudgetLedger(), leases, { maxWaitMs: 3_000, ends });
  const fits = budgets.reserve([{ ...check, scope: "ten:fits" }], 1_000);
  expect(ends.size).toBe(0);
  expect((await fits).ok).toBe(true);
  expect(ends.size).toBe(0);

  const started = performance.now();
  const waiting = budgets.reserve([check], 1_000);
  while (leases.asks === 0) await Bun.sleep(1);
  expect(ends.size).toBe(1);
  cut(ends);
  expect(await waiting).toMatchObject({ ok: false, scope: check.scope, period, capMicros: 100_000, unavailable: true });
  expect(performance.now() - started).toBeLessThan(500);
  expect(ends.size).toBe(0);
});

test("a reservation waiting for its lease to grow, or for other reservations to settle, is ended at once by the cut", async () => {
  const ends = new Set<() => void>();
  // Grows: the lease (1 000) leaves no room, the control plane never answers the renewal.
  const growing = silentLeases({ [check.scope]: lease(1_000) });
  const grows = createLeasedBudgets(createMemoryBudgetLedger(), growing, { maxWaitMs: 3_000, ends });
  // Settles: an unmanaged level whose cap is held by another reservation.
  const unmanaged = silentLeases({ [check.scope]: { ...lease(0), managed: false } });
  const settles = createLeasedBudgets(createMemoryBudgetLedger(), unmanaged, { maxWaitMs: 3_000, ends });
  const held = await settles.reserve([check], 90_000);
  expect(held.ok).toBe(true);

  const started = performance.now();
  const waitingForLease = grows.reserve([check], 5_000);
  const waitingForSettles = settles.reserve([check], 20_000);
  while (ends.size < 2) await Bun.sleep(1);
  cut(ends);
  expect(await waitingForLease).toMatchObject({ ok: false, scope: check.scope, unavailable: true });
  expect(await waitingForSettles).toMatchObject({ ok: false, scope: check.scope, unavailable: true });
  expect(performance.now() - started).toBeLessThan(500);
  expect(ends.size).toBe(0);
});
