/**
 * Budget reservations under a global budget split into regional leases.
 *
 * Every level the control plane manages (lease-client.ts) is reserved with cap
 * min(snapshot cap, this region's lease): the region's Redis holds its own spend and reservations, and
 * the lease is this region's cumulative allowance, so the request path never calls the control plane.
 * When a reservation does not fit:
 * - the lease can grow (the control plane did not say `exhausted`): the request waits for the background
 *   renewal already in flight (or asks for one, naming what it needs), bounded by `maxWaitMs`; this is the
 *   short window in which a request is held, never refused, while a renewal is in flight;
 * - the spend alone still leaves room (spent + this ≤ cap): it waits, bounded, for reservations of other
 *   requests to settle (they settle to their real cost, usually far below their worst case);
 * - otherwise it is refused as spent (429 `insufficient_quota`): the global budget is spent or fully leased out.
 * Out of time while only other requests' reservations block it (the spend leaves room), it is refused
 * as held by requests in flight (the ledger's `heldByReservations`: 503 `budget_unavailable`, retryable).
 * Out of time while the lease could still grow (the control plane slow or away), it is refused as
 * unavailable (503 `budget_unavailable`, retryable), not as an exhausted budget.
 * A graceful stop's cut (`ends`) ends every wait at once: the reservation is then refused as unavailable
 * (the route answers 503 shutting_down, pipeline/refuse.ts refuseLimits).
 * A level without an answer yet is asked for (same bound); if the control plane cannot be reached and
 * no lease is held, the budget fails closed (503 budget_unavailable) unless the tenant fails open.
 *
 * A CHANGED CAP. A lease granted under another cap than the snapshot's (the cap was changed since) is
 * stale: it is asked for at once, naming the snapshot's cap, and until that answer it may grow as above
 * even if it said `exhausted`, so a raised cap admits as soon as the control plane has answered. Until
 * then it allows only what is sure to fit the new cap: other regions may hold up to the old cap minus
 * this lease, so a cap lowered by d leaves this region at most its lease minus d (nothing once that is
 * under its spend), never what its own spend alone would leave under the new cap.
 *
 * OVERSHOOT BOUND. The control plane keeps Σ_regions max(granted_r, spent_r) ≤ cap (grant-lease.ts), and
 * a region admits a reservation only if spent_r + reserved_r + estimate ≤ granted_r. Spend exceeds a
 * grant only when a request settles above its reservation, so for every budget and period
 *     total ledger spend ≤ cap + Σ_regions Σ_{requests r admitted} max(0, actual_r − reserved_r)
 * and with worst-case reservations (estimated prompt + max_tokens at the deployment's price) the excess
 * term is the estimate error: a prompt tokenized above its estimate, or a fallback to a dearer
 * deployment. Outside the bound: while a replica's Redis is down its budgets fail closed (nothing is
 * admitted) or, for a tenant that chose fail-open, are not enforced until Redis returns (resilient-
 * counters.ts); and time: a lease is used until its life (`ttlMs`) has passed since its ask was sent, by
 * this proxy's clock, which is never after the control plane's own expiry whatever the two clocks read,
 * and is reclaimed `reclaimGraceMs` after that expiry, which must exceed the longest request. (From a
 * control plane that sends no `ttlMs`, its expiresAt is read on this proxy's clock: skew shortens or
 * stretches the lease, and the grace must then exceed clock skew as well.)
 */
import type { BudgetCheck, Reservation, ReserveOptions, ReserveResult } from "../counters/budget-types.ts";
import { isThenable } from "../../shared/is-thenable.ts";
import type { MaybeAsync } from "../counters/maybe-async.ts";
import type { EnforcerBudgets } from "../limits/enforce-limits.ts";
import type { LeaseClient, LeaseView } from "./lease-client.ts";

export interface LeasedBudgetsOptions {
  /** The longest a reservation waits for a lease to grow or reservations to settle (default 3 s). */
  maxWaitMs?: number;
  /** This proxy's clock (default Date.now): the lease client's, as lease expiries are on it. */
  now?: () => number;
  /**
   * Where a reservation that waits holds the function that ends its waits at once, while it waits (a
   * graceful stop's cut: region-proxy/in-flight.ts InFlight.limitWaits). A Set add and delete per
   * reservation that waits, no listener; the usual case (the reservation fits) adds nothing.
   */
  ends?: Set<() => void>;
}

/**
 * One reservation's waits, each bounded by its own timer (cleared when it ends), all ended at once by
 * `end()`: from then on `cut` is true and every wait returns at once. `end` is held in `ends` from the
 * first wait until `done()`.
 */
function cuttableWaits(ends: Set<() => void> | undefined) {
  let wake: (() => void) | null = null;
  let held = false;
  const waits = {
    cut: false,
    /** Until `work` settles (its failure rethrown, as a race with it would) or `ms` passed; at once once cut. */
    for(ms: number, work?: Promise<unknown>): Promise<void> {
      if (waits.cut) return Promise.resolve();
      if (!held && ends) {
        ends.add(end);
        held = true;
      }
      return new Promise<void>((resolve, reject) => {
        const finish = (failed: boolean, error?: unknown) => {
          // Ended already (by the timer, the work or the cut): a later call is not this wait's.
          if (wake !== wakeUp) return;
          wake = null;
          clearTimeout(timer);
          if (failed) reject(error);
          else resolve();
        };
        const wakeUp = () => finish(false);
        wake = wakeUp;
        const timer = setTimeout(wakeUp, ms);
        work?.then(wakeUp, (error: unknown) => finish(true, error));
      });
    },
    done(): void {
      if (held) ends!.delete(end);
    },
  };
  const end = () => {
    waits.cut = true;
    wake?.();
  };
  return waits;
}

/** A reservation whose wait the stop cut: refused as undecided (the route answers it 503 shutting_down, refuseLimits). */
const cutShort = (check: BudgetCheck): ReserveResult => ({ ok: false, scope: check.scope, period: check.period, spentMicros: 0, reservedMicros: 0, capMicros: check.capMicros, unavailable: true });

/**
 * The lease expired and no answer came since: the control plane cannot be reached (or answers nothing
 * usable). A lease that arrived already expired (an older control plane's expiresAt on a clock that
 * disagrees) is not one: the control plane answers, only the clocks differ.
 */
const lapsedUnanswered = (view: LeaseView, at: number) => at >= view.expiresAt && view.answeredAt < view.expiresAt;

/** Granted under another cap than the snapshot's, and not the answer to an ask sent for the snapshot's. */
const stale = (view: LeaseView, capMicros: number) => view.capMicros !== capMicros && view.askedForCapMicros !== capMicros;

/** Wraps a region ledger so every managed level is capped by this region's lease. */
export function createLeasedBudgets(inner: EnforcerBudgets, leases: LeaseClient, options: LeasedBudgetsOptions = {}): EnforcerBudgets {
  const maxWaitMs = options.maxWaitMs ?? 3000;
  const now = options.now ?? Date.now;
  /** Micros of reservations waiting for each level's lease to grow. */
  const waiting = new Map<string, number>();
  /** The snapshot cap a stale lease was asked about for (once per lease and cap). */
  const askedStale = new WeakMap<LeaseView, number>();

  /** Per lease, the level it capped last: the same level and room give back that object, so a request makes none. */
  const lastCapped = new WeakMap<LeaseView, BudgetCheck>();

  /** A level capped by its lease at `at`; a level whose lease leaves its cap as is stays the same object. */
  function cappedLevel(check: BudgetCheck, view: LeaseView | undefined, at: number): BudgetCheck {
    if (!view?.managed) return check;
    // An expired lease allows nothing new until renewed (the control plane may reclaim it).
    let room = at >= view.expiresAt ? 0 : view.grantedMicros;
    if (view.capMicros !== check.capMicros) room = roomUnderChangedCap(check, view, room);
    if (room >= check.capMicros) return check;
    const last = lastCapped.get(view);
    if (last !== undefined && last.capMicros === room && last.scope === check.scope && last.period === check.period) return last;
    const level = { scope: check.scope, period: check.period, capMicros: room };
    lastCapped.set(view, level);
    return level;
  }

  /** Each level capped by its lease (`views[i]` is level i's). */
  function capped(checks: BudgetCheck[], views: (LeaseView | undefined)[]): BudgetCheck[] {
    const at = now();
    return checks.map((check, i) => cappedLevel(check, views[i], at));
  }

  /**
   * The usual case's levels: each capped by its lease, or null when a level's lease is not known yet.
   * The list is `checks` itself when no lease caps a level.
   */
  function cappedIfKnown(checks: BudgetCheck[]): BudgetCheck[] | null {
    const at = now();
    let levels: BudgetCheck[] | null = null;
    for (let i = 0; i < checks.length; i++) {
      const check = checks[i]!;
      const view = leases.view(check.scope, check.period);
      if (view === undefined) return null;
      const level = cappedLevel(check, view, at);
      if (level !== check) (levels ??= checks.slice())[i] = level;
    }
    return levels ?? checks;
  }

  /**
   * A lease granted under another cap: if stale, asked for at once (in the background), and its room cut
   * by what a lowered cap took away, since other regions may hold the old cap minus this lease.
   */
  function roomUnderChangedCap(check: BudgetCheck, view: LeaseView, room: number): number {
    if (!stale(view, check.capMicros)) return room;
    if (askedStale.get(view) !== check.capMicros) {
      askedStale.set(view, check.capMicros);
      void leases.ask(check.scope, check.period, 0, check.capMicros);
    }
    return check.capMicros < view.capMicros ? Math.max(0, room - (view.capMicros - check.capMicros)) : room;
  }

  /**
   * The usual case, kept small: every level's lease is known and the reservation fits under it,
   * answered at once when the region's ledger answers at once (in memory). A level not asked about
   * yet, or a refusal that may wait for a lease to grow, goes to `reserveWaiting`.
   */
  function reserve(checks: BudgetCheck[], micros: number, reserveOptions?: ReserveOptions): MaybeAsync<ReserveResult> {
    try {
      const levels = cappedIfKnown(checks);
      if (levels === null) return reserveWaiting(checks, micros, reserveOptions);
      const result = inner.reserve(levels, micros, reserveOptions);
      return isThenable(result) ? result.then((answer) => reserved(checks, micros, reserveOptions, levels, answer)) : reserved(checks, micros, reserveOptions, levels, result);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The usual case's answer: a reservation is noted on each lease; a refusal is the waiting loop's first answer. */
  function reserved(checks: BudgetCheck[], micros: number, reserveOptions: ReserveOptions | undefined, levels: BudgetCheck[], result: ReserveResult): MaybeAsync<ReserveResult> {
    if (result.ok) {
      for (const level of levels) leases.noteReserved(level.scope, level.period, micros);
      return result;
    }
    // The ledger's refusal is the loop's first answer: an exhausted budget is asked once, not twice.
    return reserveWaiting(checks, micros, reserveOptions, { levels, result });
  }

  /**
   * Asks for unknown leases, waits (bounded) for a lease to grow or for reservations to settle, and
   * decides. `firstAnswer`: the usual case's attempt, already answered, taken as the first pass's.
   */
  async function reserveWaiting(
    checks: BudgetCheck[],
    micros: number,
    reserveOptions?: ReserveOptions,
    firstAnswer?: { levels: BudgetCheck[]; result: ReserveResult },
  ): Promise<ReserveResult> {
    const waits = cuttableWaits(options.ends);
    try {
      return await decide(checks, micros, waits, reserveOptions, firstAnswer);
    } finally {
      waits.done();
    }
  }

  /** reserveWaiting's loop: every wait is one of `waits`, and a cut one ends the loop. */
  async function decide(
    checks: BudgetCheck[],
    micros: number,
    waits: ReturnType<typeof cuttableWaits>,
    reserveOptions?: ReserveOptions,
    firstAnswer?: { levels: BudgetCheck[]; result: ReserveResult },
  ): Promise<ReserveResult> {
    const deadline = now() + maxWaitMs;
    let pause = 10;
    for (;;) {
      // Each level's lease looked up once per pass.
      let views = checks.map((c) => leases.view(c.scope, c.period));
      const unknown = checks.filter((_, i) => views[i] === undefined);
      if (unknown.length > 0) {
        firstAnswer = undefined;
        await waits.for(Math.max(0, deadline - now()), Promise.all(unknown.map((c) => leases.ask(c.scope, c.period, micros, c.capMicros))));
        if (waits.cut) return cutShort(unknown[0]!);
        const still = unknown.find((c) => leases.view(c.scope, c.period) === undefined);
        if (still && now() < deadline) {
          // The ask failed (control plane unreachable or slow): try again until the deadline.
          await waits.for(Math.min(pause, Math.max(0, deadline - now())));
          if (waits.cut) return cutShort(still);
          pause = Math.min(pause * 2, 200);
          continue;
        }
        if (still) {
          if (reserveOptions?.failOpen) return inner.reserve(checks, micros, reserveOptions);
          return { ok: false, scope: still.scope, period: still.period, spentMicros: 0, reservedMicros: 0, capMicros: still.capMicros, unavailable: true };
        }
        views = checks.map((c) => leases.view(c.scope, c.period));
      }
      const levels = firstAnswer?.levels ?? capped(checks, views);
      const result = firstAnswer?.result ?? (await inner.reserve(levels, micros, reserveOptions));
      firstAnswer = undefined;
      if (result.ok) {
        for (const level of levels) leases.noteReserved(level.scope, level.period, micros);
        return result;
      }
      if (result.unavailable) return result;
      // Named by scope AND period: a day and a month of one scope may be capped alike (equal caps, equal grants).
      const level = levels.find((l) => l.scope === result.scope && l.period === result.period)!;
      const original = checks.find((c) => c.scope === level.scope && c.period === level.period)!;
      const view = leases.view(level.scope, level.period);
      const leaseBound = view?.managed === true && level.capMicros < original.capMicros;
      // A stale lease is asked again whatever it said: the cap it was exhausted under is gone.
      const canGrow = leaseBound && (!view!.exhausted || now() >= view!.expiresAt || stale(view!, original.capMicros));
      // Judged on the one level the ledger names: the first whose spend leaves no room, else the first
      // only held (budgetRefused), so this waits for settles only when every refusing level is held.
      const settlesMayFit = result.spentMicros + micros <= level.capMicros;
      const left = deadline - now();
      if ((!canGrow && !settlesMayFit) || left <= 0) {
        // A lease that expired and could not be renewed is no lease: a fail-open tenant is admitted as
        // when no lease was ever held and the control plane cannot be reached. Only then: a lease that
        // arrived already expired came from a control plane that answers (only the clocks differ), and
        // is not a way past the budget.
        if (canGrow && reserveOptions?.failOpen && lapsedUnanswered(view!, now())) return inner.reserve(checks, micros, reserveOptions);
        // Said against the budget the caller knows: what other regions hold counts as reserved.
        const refused = leaseBound ? { ...result, capMicros: original.capMicros, reservedMicros: result.reservedMicros + (original.capMicros - level.capMicros) } : result;
        // Out of time while the lease could still grow: the control plane is slow or away, the budget is
        // not spent. Retryable (503 budget_unavailable), never 429 insufficient_quota. Out of time while only
        // reservations block it: the ledger's `heldByReservations` (settlesMayFit) stays on the answer.
        return canGrow ? { ...refused, unavailable: true } : refused;
      }
      if (canGrow) {
        // Ask for every reservation waiting on this level at once, so one renewal admits them all.
        const id = `${level.scope}|${level.period}`;
        waiting.set(id, (waiting.get(id) ?? 0) + micros);
        try {
          await waits.for(left, leases.ask(level.scope, level.period, result.reservedMicros + waiting.get(id)!, original.capMicros));
        } finally {
          const rest = waiting.get(id)! - micros;
          if (rest > 0) waiting.set(id, rest);
          else waiting.delete(id);
        }
        // No growth (the control plane is unreachable, or gave less): back off instead of spinning.
        if ((leases.view(level.scope, level.period)?.grantedMicros ?? 0) <= view!.grantedMicros) {
          await waits.for(Math.min(pause, Math.max(0, deadline - now())));
          pause = Math.min(pause * 2, 200);
        }
      } else {
        await waits.for(Math.min(pause, left));
        pause = Math.min(pause * 2, 200);
      }
      if (waits.cut) return cutShort(original);
    }
  }

  return {
    reserve,
    settle: (reservation: Reservation, actualMicros: number) => inner.settle(reservation, actualMicros),
    release: (reservation: Reservation) => inner.release(reservation),
  };
}
