/**
 * Input rules both ledgers share: amounts are whole micro-USD, and a level named twice in one request
 * counts once (with the lower cap), so a reservation never charges one level twice.
 */
import { newId } from "../../shared/ids.ts";
import type { BudgetCheck } from "./budget-types.ts";

/** Throws TypeError unless `value` is a whole, non-negative, safe number of micros. */
export function assertMicros(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`invalid ${name}: ${value}`);
}

/** Validates and de-duplicates levels by (scope, period), keeping the lowest cap. */
export function budgetLevels(checks: BudgetCheck[]): BudgetCheck[] {
  const byLevel = new Map<string, BudgetCheck>();
  for (const check of checks) {
    assertMicros(`cap for ${check.scope}`, check.capMicros);
    const id = levelId(check.scope, check.period);
    const seen = byLevel.get(id);
    if (!seen || check.capMicros < seen.capMicros) byLevel.set(id, { scope: check.scope, period: check.period, capMicros: check.capMicros });
  }
  return [...byLevel.values()];
}

/** One string per (scope, period); the separator cannot appear in either part's usual alphabet. */
export function levelId(scope: string, period: string): string {
  return `${scope}|${period}`;
}

/** A reservation id; random (80 bits) so replicas never collide without coordination. */
export function newReservationId(): string {
  return newId("res");
}
