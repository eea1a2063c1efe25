/**
 * In-process BudgetLedger with the Redis ledger's semantics: for a single replica without Redis and for
 * fail-open degraded mode. Atomic because no method awaits between reading and writing.
 */
import { assertMicros, budgetLevels, levelId, newReservationId } from "./budget-levels.ts";
import {
  DEFAULT_RESERVATION_TTL_MS, DEFAULT_SETTLED_MEMORY_MS,
  type BudgetCheck, type BudgetLedger, type BudgetLedgerOptions, type Reservation, type ReserveResult,
} from "./budget-types.ts";

interface Level {
  spent: number;
  version: number | null;
  /** reservation id → micros and expiry */
  held: Map<string, { micros: number; expiresAt: number }>;
}

/** Creates an in-process ledger; each instance has its own balances. */
export function createMemoryBudgetLedger(options: BudgetLedgerOptions = {}): BudgetLedger {
  const ttl = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  const memory = options.settledMemoryMs ?? DEFAULT_SETTLED_MEMORY_MS;
  const levels = new Map<string, Level>();
  const finished = new Map<string, number>(); // reservation id → forget-after time

  function level(scope: string, period: string, now: number): Level {
    const id = levelId(scope, period);
    let found = levels.get(id);
    if (!found) levels.set(id, (found = { spent: 0, version: null, held: new Map() }));
    for (const [resId, hold] of found.held) if (hold.expiresAt <= now) found.held.delete(resId);
    return found;
  }
  const reserved = (l: Level) => [...l.held.values()].reduce((sum, h) => sum + h.micros, 0);

  function finish(reservation: Reservation, actualMicros: number | null): void {
    const now = Date.now();
    for (const [id, forgetAt] of finished) if (forgetAt <= now) finished.delete(id);
    if (finished.has(reservation.id)) return;
    finished.set(reservation.id, now + memory);
    for (const check of budgetLevels(reservation.checks)) {
      const l = level(check.scope, check.period, now);
      l.held.delete(reservation.id);
      if (actualMicros !== null) l.spent += actualMicros;
    }
  }

  return {
    async reserve(checks: BudgetCheck[], micros: number): Promise<ReserveResult> {
      assertMicros("micros", micros);
      const now = Date.now();
      const wanted = budgetLevels(checks);
      for (const check of wanted) {
        const l = level(check.scope, check.period, now);
        const heldMicros = reserved(l);
        if (l.spent + heldMicros + micros > check.capMicros) {
          return { ok: false, scope: check.scope, spentMicros: l.spent, reservedMicros: heldMicros, capMicros: check.capMicros };
        }
      }
      const reservation: Reservation = { id: newReservationId(), checks: wanted, micros };
      for (const check of wanted) level(check.scope, check.period, now).held.set(reservation.id, { micros, expiresAt: now + ttl });
      return { ok: true, reservation };
    },
    async settle(reservation: Reservation, actualMicros: number): Promise<void> {
      assertMicros("actualMicros", actualMicros);
      finish(reservation, actualMicros);
    },
    async release(reservation: Reservation): Promise<void> {
      finish(reservation, null);
    },
    async repair(scope: string, period: string, spentMicros: number, version: number): Promise<void> {
      assertMicros("spentMicros", spentMicros);
      const l = level(scope, period, Date.now());
      if (l.version !== null && version <= l.version) return;
      l.spent = spentMicros;
      l.version = version;
    },
    async status(scope: string, period: string) {
      const l = level(scope, period, Date.now());
      return { spentMicros: l.spent, reservedMicros: reserved(l) };
    },
  };
}
