/**
 * Input rules both ledgers share: amounts are whole micro-USD, and a level named twice in one request
 * counts once (with the lower cap), so a reservation never charges one level twice.
 */
import { newId } from "../../shared/ids.ts";
import type { BudgetCheck, ReserveResult } from "./budget-types.ts";

/** Throws TypeError unless `value` is a whole, non-negative, safe number of micros. */
export function assertMicros(name: string, value: number): void {
  if (!isMicros(value)) throw new TypeError(`invalid ${name}: ${value}`);
}

/** Throws TypeError unless `ttlMs` is absent or a positive whole number of ms. */
export function assertReservationTtl(ttlMs: number | undefined): void {
  if (ttlMs !== undefined && !(Number.isSafeInteger(ttlMs) && ttlMs > 0)) throw new TypeError(`invalid reservation ttlMs: ${ttlMs}`);
}

function isMicros(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * Validates and de-duplicates levels by (scope, period), keeping the lowest cap. A request names a
 * handful of levels, so duplicates are found by comparing pairs, and a list without any (the usual
 * case) is returned as it is: this runs on every budgeted request, twice.
 */
export function budgetLevels(checks: BudgetCheck[]): BudgetCheck[] {
  let duplicated = false;
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i]!;
    if (!isMicros(check.capMicros)) throw new TypeError(`invalid cap for ${check.scope}: ${check.capMicros}`);
    for (let j = 0; j < i && !duplicated; j++) duplicated = checks[j]!.scope === check.scope && checks[j]!.period === check.period;
  }
  if (!duplicated) return checks;
  const byLevel = new Map<string, BudgetCheck>();
  for (const check of checks) {
    const id = levelId(check.scope, check.period);
    const seen = byLevel.get(id);
    if (!seen || check.capMicros < seen.capMicros) byLevel.set(id, { scope: check.scope, period: check.period, capMicros: check.capMicros });
  }
  return [...byLevel.values()];
}

/**
 * A level's refusal of `micros` (spent + reserved + micros > cap), flagged `heldByReservations` when
 * the spend alone leaves room: both ledgers answer alike, and only a spent level reads as exhausted.
 * Which level answers, in both ledgers: the first one whose spend alone leaves no room, else the first
 * that refuses. A nearer level only held with a later one spent is spent (no wait lets it pass): the
 * levels after a held one are still read, on a refusal only.
 */
export function budgetRefused(check: BudgetCheck, spentMicros: number, reservedMicros: number, micros: number): Extract<ReserveResult, { ok: false }> {
  const refused: Extract<ReserveResult, { ok: false }> = { ok: false, scope: check.scope, period: check.period, spentMicros, reservedMicros, capMicros: check.capMicros };
  if (spentMicros + micros <= check.capMicros) refused.heldByReservations = true;
  return refused;
}

/** One string per (scope, period); the separator cannot appear in either part's usual alphabet. */
export function levelId(scope: string, period: string): string {
  return `${scope}|${period}`;
}

/**
 * This process's reservation ids: a random prefix (newId: 80 bits, so replicas never collide without
 * coordination), then a counter (so this process never repeats one).
 */
const RESERVATION_PREFIX = `${newId("res")}.`;
let reservations = 0;

/**
 * A reservation id, e.g. `res_5f3k9x2m7q1c8v4b.1a`: unique across replicas and restarts by its prefix,
 * within the process by its counter. One small string per reservation, where 16 fresh random characters
 * joined one by one made 17.
 */
export function newReservationId(): string {
  return RESERVATION_PREFIX + (++reservations).toString(36);
}

/**
 * The counter of an id newReservationId made in this process, or null for any other id (one a caller
 * chose, or another replica's). The prefix is this process's 80 random bits, so only newReservationId
 * makes ids that start with it, always with its counter's canonical digits after it.
 */
export function reservationNumber(id: string): number | null {
  if (!id.startsWith(RESERVATION_PREFIX)) return null;
  const digits = id.slice(RESERVATION_PREFIX.length);
  const counter = parseInt(digits, 36);
  // Only the digits newReservationId wrote, as it wrote them: a caller's id built from one of ours
  // ("….0", "….1a-retry", "….01") is the caller's own, never a counter this process made.
  return counter >= 1 && counter <= reservations && counter.toString(36) === digits ? counter : null;
}
