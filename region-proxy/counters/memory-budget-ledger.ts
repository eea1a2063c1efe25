/**
 * In-process BudgetLedger with the Redis ledger's semantics: for a single replica without Redis and for
 * fail-open degraded mode. Atomic because no method awaits between reading and writing; reserve, settle
 * and release answer at once, with no promise.
 *
 * Every operation is O(levels) whatever the traffic: each level keeps its reserved total as a running
 * sum; a level's live reservations (a Map, by expiry) are pruned from their oldest end, and the
 * finished ids are a bounded record (finished-reservations.ts). The reservations are in time order
 * because each entry is stamped `now + a constant` (a clock stepped back can only delay an expiry by
 * the step): they are kept apart per lifetime (ReserveOptions.ttlMs: the few route totals the enforcer
 * passes), so within each group the constant is one. Scanning them whole on every request cost ~150 us
 * per request after a few seconds at 2,000 req/s, and the finished ids, then kept 48 h, grew without
 * bound. Levels themselves are forgotten after IDLE_LEVEL_MS untouched,
 * as the Redis ledger's keys expire.
 */
import { assertMicros, assertReservationTtl, budgetLevels, budgetRefused, newReservationId } from "./budget-levels.ts";
import {
  DEFAULT_RESERVATION_TTL_MS, DEFAULT_SETTLED_MEMORY_MS,
  type BudgetCheck, type BudgetLedger, type BudgetLedgerOptions, type Reservation, type ReserveOptions, type ReserveResult,
} from "./budget-types.ts";
import { FinishedReservations } from "./finished-reservations.ts";
import { ScopePeriodMap } from "./scope-period-map.ts";
import type { MaybeAsync } from "./maybe-async.ts";

export { MAX_FINISHED_REMEMBERED } from "./finished-reservations.ts";

/**
 * A level nobody touched for this long is forgotten, as the Redis ledger's keys expire (40 days: past
 * any month period). Without it every (scope, day) and (scope, month) a process ever saw stayed.
 */
export const IDLE_LEVEL_MS = 40 * 86_400_000;
/** Levels held before the first look for idle ones; after a look, twice what it left. */
const SWEEP_LEVELS_ABOVE = 1_000;

export interface MemoryBudgetLedgerOptions extends BudgetLedgerOptions {
  /** Forget a level untouched this long (default IDLE_LEVEL_MS). */
  idleLevelMs?: number;
}

interface Level {
  spent: number;
  /** The sum of `held`'s micros. */
  reserved: number;
  version: number | null;
  /**
   * Per lifetime (ms), reservation id → micros and expiry, oldest expiry first within each. A group
   * left empty by a settle is kept for the next reservation of that lifetime (a level sees only the
   * few lifetimes the enforcer passes), so a request makes no Map; an expiry sweep drops empty ones.
   */
  held: Map<number, Map<string, Hold>>;
  /** How many holds `held` has in all. */
  holds: number;
  /**
   * No hold expires before this (Infinity when none is held): the soonest expiry when the holds were
   * last looked at. Holds only leave, so it stays a lower bound, and `held` is walked for expired holds
   * only once it has passed: about once per reservation lifetime, not on every request.
   */
  expiresNoSoonerThan: number;
  touchedAt: number;
}

interface Hold {
  micros: number;
  expiresAt: number;
}

/** The hold of reservation `id` on a level, found in its lifetime group and taken out of it; undefined if none. */
function takeHold(l: Level, id: string): Hold | undefined {
  for (const group of l.held.values()) {
    const hold = group.get(id);
    if (!hold) continue;
    group.delete(id);
    l.holds--;
    return hold;
  }
  return undefined;
}

/** Creates an in-process ledger; each instance has its own balances. */
export function createMemoryBudgetLedger(options: MemoryBudgetLedgerOptions = {}): BudgetLedger {
  const ttl = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  const memory = options.settledMemoryMs ?? DEFAULT_SETTLED_MEMORY_MS;
  const idleLevelMs = options.idleLevelMs ?? IDLE_LEVEL_MS;
  const levels = new ScopePeriodMap<Level>();
  const finished = new FinishedReservations(memory);
  let sweepLevelsAt = SWEEP_LEVELS_ABOVE;

  function level(scope: string, period: string, now: number): Level {
    let found = levels.get(scope, period);
    if (!found) {
      forgetIdleLevels(now);
      levels.set(scope, period, (found = { spent: 0, reserved: 0, version: null, held: new Map(), holds: 0, expiresNoSoonerThan: Infinity, touchedAt: now }));
    }
    found.touchedAt = now;
    if (found.expiresNoSoonerThan <= now) dropExpired(found, now);
    return found;
  }

  function dropExpired(l: Level, now: number): void {
    l.expiresNoSoonerThan = Infinity;
    for (const [lifetime, group] of l.held) {
      for (const [resId, hold] of group) {
        if (hold.expiresAt > now) {
          l.expiresNoSoonerThan = Math.min(l.expiresNoSoonerThan, hold.expiresAt);
          break;
        }
        group.delete(resId);
        l.holds--;
        l.reserved -= hold.micros;
      }
      if (group.size === 0) l.held.delete(lifetime);
    }
  }

  /** Runs only as a new level is added, and again only once the table has doubled: O(1) on average. */
  function forgetIdleLevels(now: number): void {
    if (levels.size < sweepLevelsAt) return;
    for (const [scope, period, l] of levels.entries()) {
      if (now - l.touchedAt >= idleLevelMs && [...l.held.values()].every((group) => [...group.values()].every((hold) => hold.expiresAt <= now))) levels.delete(scope, period);
    }
    sweepLevelsAt = Math.max(SWEEP_LEVELS_ABOVE, levels.size * 2);
  }

  function finish(reservation: Reservation, actualMicros: number | null): void {
    const now = Date.now();
    if (!finished.finish(reservation.id, now)) return;
    for (const check of budgetLevels(reservation.checks)) {
      const l = level(check.scope, check.period, now);
      const hold = takeHold(l, reservation.id);
      if (hold) l.reserved -= hold.micros;
      if (actualMicros !== null) l.spent += actualMicros;
    }
  }

  /**
   * The refusal of `micros` by level `first` of `wanted` (`l`, the first that refuses): if it is only
   * held by reservations in flight, the first later level whose spend alone leaves no room answers
   * instead, as the Redis ledger's script does (budgetRefused).
   */
  function refusal(wanted: BudgetCheck[], first: number, l: Level, micros: number, now: number): Extract<ReserveResult, { ok: false }> {
    const refused = budgetRefused(wanted[first]!, l.spent, l.reserved, micros);
    if (!refused.heldByReservations) return refused;
    for (let i = first + 1; i < wanted.length; i++) {
      const check = wanted[i]!;
      const later = level(check.scope, check.period, now);
      if (later.spent + micros > check.capMicros) return budgetRefused(check, later.spent, later.reserved, micros);
    }
    return refused;
  }

  function reserveNow(checks: BudgetCheck[], micros: number, reserveOptions?: ReserveOptions): ReserveResult {
    assertMicros("micros", micros);
    assertReservationTtl(reserveOptions?.ttlMs);
    const now = Date.now();
    const wanted = budgetLevels(checks);
    const found: Level[] = [];
    for (let i = 0; i < wanted.length; i++) {
      const check = wanted[i]!;
      const l = level(check.scope, check.period, now);
      if (l.spent + l.reserved + micros > check.capMicros) return refusal(wanted, i, l, micros, now);
      found.push(l);
    }
    const reservation: Reservation = { id: reserveOptions?.id ?? newReservationId(), checks: wanted, micros };
    const lifetime = reserveOptions?.ttlMs ?? ttl;
    const hold: Hold = { micros, expiresAt: now + lifetime };
    for (const l of found) {
      if (l.holds === 0 || hold.expiresAt < l.expiresNoSoonerThan) l.expiresNoSoonerThan = hold.expiresAt;
      let group = l.held.get(lifetime);
      if (!group) l.held.set(lifetime, (group = new Map()));
      const size = group.size;
      group.set(reservation.id, hold);
      l.holds += group.size - size;
      l.reserved += micros;
    }
    return { ok: true, reservation };
  }

  // Reserve, settle and release answer at once, with no promise (maybe-async.ts); a bad argument is a
  // rejected promise, as from the Redis ledger.
  return {
    reserve(checks: BudgetCheck[], micros: number, reserveOptions?: ReserveOptions): MaybeAsync<ReserveResult> {
      try {
        return reserveNow(checks, micros, reserveOptions);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    settle(reservation: Reservation, actualMicros: number): MaybeAsync<void> {
      try {
        assertMicros("actualMicros", actualMicros);
        finish(reservation, actualMicros);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    release(reservation: Reservation): MaybeAsync<void> {
      try {
        finish(reservation, null);
      } catch (error) {
        return Promise.reject(error);
      }
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
      return { spentMicros: l.spent, reservedMicros: l.reserved };
    },
  };
}
