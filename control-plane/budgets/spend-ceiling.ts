/**
 * Where budget arithmetic stops counting. Spend, caps and grants are integer micro-USD held in JS
 * numbers, exact only up to 2^53 - 1; the ledger's sums (PostgreSQL numeric) and several regions'
 * spends added together can pass it, and past it a sum silently loses precision (and a grant built
 * from it fails to fit a bigint column past 2^63). So every figure budgets read or add saturates at
 * MAX_SPEND_MICROS, in SQL (`least(sum(...), MAX_SPEND_MICROS)`) before a figure becomes a number and
 * in JS (addMicros) when figures are added: a result is exact below it and exactly MAX_SPEND_MICROS
 * otherwise, which is still far over any cap (caps are at most 10^15, $1e9), so the level reads as spent.
 *
 * @example addMicros(Number.MAX_SAFE_INTEGER, 1) // Number.MAX_SAFE_INTEGER
 */
export const MAX_SPEND_MICROS = Number.MAX_SAFE_INTEGER;

/** The sum of non-negative micro-USD figures, saturated at MAX_SPEND_MICROS. */
export function addMicros(...values: number[]): number {
  let sum = 0;
  // Exact while the true sum stays within the ceiling; once it passes (reaches 2^53), its rounded float
  // does too (rounding is monotonic and 2^53 is a float), so the cut is exact as well.
  for (const value of values) sum = Math.min(MAX_SPEND_MICROS, sum + value);
  return sum;
}

