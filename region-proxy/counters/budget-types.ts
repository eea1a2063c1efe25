/**
 * The budget contract shared by the Redis and in-process ledgers (and the resilient wrapper).
 * A request reserves its estimated cost on every level before the call and settles the real cost after;
 * a reservation nobody settles (a crashed replica) expires after a TTL, so it cannot hold budget forever.
 */
import type { MaybeAsync } from "./maybe-async.ts";

/** One level to reserve on. `period` comes from periodKeys(), e.g. "day:2026-11-25". */
export interface BudgetCheck {
  scope: string;
  period: string;
  capMicros: number;
}

export interface Reservation {
  id: string;
  checks: BudgetCheck[];
  micros: number;
}

export type ReserveResult =
  | { ok: true; reservation: Reservation }
  | {
      ok: false;
      scope: string;
      /**
       * The refusing level's period: a scope may have a daily and a monthly level of the same cap, so
       * scope and cap alone do not say which refused.
       */
      period: string;
      spentMicros: number;
      reservedMicros: number;
      capMicros: number;
      /** Set when the shared ledger could not be reached (fail closed): not an exhausted budget. */
      unavailable?: true;
      /**
       * Set when the spend alone leaves room for this request (spent + micros ≤ cap): it was refused
       * only for reservations of requests still in flight, which settle (usually far below their worst
       * case). Retryable, not an exhausted budget.
       */
      heldByReservations?: true;
    };

/** What a caller may choose of one reservation. */
export interface ReserveOptions {
  /**
   * The reservation's id (newReservationId), made by the caller before sending: a reserve whose answer
   * never came (a timeout) may still have been applied, and is released by this id.
   */
  id?: string;
  /**
   * Honoured by the resilient ledger only (resilient-counters.ts): while the shared ledger cannot be
   * reached, admit with a local reservation instead of refusing as unavailable. The others ignore it.
   */
  failOpen?: boolean;
  /**
   * How long the reservation holds when nobody settles or releases it (a crashed replica): at least as
   * long as the request it covers may run (the enforcer passes the route's total plus a margin), or a
   * request still running loses its hold and others are admitted past the cap. Default: the ledger's
   * `reservationTtlMs`.
   */
  ttlMs?: number;
}

/** Reserve, settle and release answer at once in memory and with a promise from Redis; a failure is a rejected promise (maybe-async.ts). */
export interface BudgetLedger {
  /** Atomically reserves `micros` on every level; refused (nothing reserved) if any level's spent+reserved+micros > cap. */
  reserve(checks: BudgetCheck[], micros: number, options?: ReserveOptions): MaybeAsync<ReserveResult>;
  /**
   * Turns a reservation into real spend (actualMicros may be lower or higher); idempotent by reservation id.
   * `queuedAt`: epoch ms the settle was queued at while Redis failed (omitted: sent at once, always
   * added); the Redis ledger adds no spend from it to a level repaired as of or after then
   * (redis-budget-ledger.ts createRedisBudgetLedger). The memory ledger ignores it.
   */
  settle(reservation: Reservation, actualMicros: number, queuedAt?: number): MaybeAsync<void>;
  /** Releases a reservation at once (request failed): idempotent. */
  release(reservation: Reservation): MaybeAsync<void>;
  /**
   * Repair from the authoritative ledger: set spent to a known value WITH a version; an older version never overwrites a newer one.
   * `repairedAt`: epoch ms the ledger's figure dates from, no later than its read (default now, when
   * this is called: late, skips more). The memory ledger ignores it.
   */
  repair(scope: string, period: string, spentMicros: number, version: number, repairedAt?: number): Promise<void>;
  status(scope: string, period: string): Promise<{ spentMicros: number; reservedMicros: number }>;
}

/** The Redis ledger's: every answer is a round trip, so a promise. */
export interface RemoteBudgetLedger extends BudgetLedger {
  reserve(checks: BudgetCheck[], micros: number, options?: ReserveOptions): Promise<ReserveResult>;
  settle(reservation: Reservation, actualMicros: number, queuedAt?: number): Promise<void>;
  release(reservation: Reservation): Promise<void>;
}

/** Tunables shared by both ledgers. */
export interface BudgetLedgerOptions {
  /** A reservation not settled or released within this time stops counting, unless reserved with its own `ttlMs` (default 10 min). */
  reservationTtlMs?: number;
  /** How long a settled/released id is remembered so a repeat is a no-op (default 15 min). */
  settledMemoryMs?: number;
}

export const DEFAULT_RESERVATION_TTL_MS = 10 * 60_000;
/**
 * Long enough for every repeat there is: a settle retried after a timeout, or replayed once Redis is
 * back (resilient-counters.ts), comes within seconds to minutes of the first (a reservation may live
 * longer, as long as its request runs, but is finished once). Not longer: the Redis ledger keeps one key per finished reservation for this long,
 * so at 1,000 requests a second 15 minutes is ~900,000 keys, where the former 48 h was ~170 million.
 */
export const DEFAULT_SETTLED_MEMORY_MS = 15 * 60_000;
