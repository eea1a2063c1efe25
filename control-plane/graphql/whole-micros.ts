/**
 * USD amounts from input are stored in whole micro-USD (prices per 1M tokens, budgets): a positive
 * amount below half a micro-USD would round to 0, silently turning a price into "free" or a budget into
 * one that refuses every paid request. One rule for every such input: refused, naming the field.
 */
import { usdPerMillionToMicros } from "../../shared/money/cost.ts";
import { badInput } from "./errors.ts";

/** The smallest positive amount kept: half a micro-USD, which rounds to one. */
export const MIN_NON_ZERO_USD = 0.0000005;

/**
 * `usd` (already checked finite and non-negative) in whole micro-USD; a positive amount that would
 * round to 0 is BAD_USER_INPUT naming `field`. `kept` says what is stored in whole micro-USD.
 *
 * @example wholeMicros("dailyBudgetUsd", 1e-7, "budgets are kept in whole micro-USD") // throws "dailyBudgetUsd: must be 0 or at least 5e-7 (...)"
 */
export function wholeMicros(field: string, usd: number, kept: string): number {
  const micros = usdPerMillionToMicros(usd);
  if (micros === 0 && usd > 0) throw badInput(field, `must be 0 or at least ${MIN_NON_ZERO_USD} (${kept})`);
  return micros;
}

/** What a budget refusal says is kept in whole micro-USD (createKey and tenant.policy alike). */
export const BUDGETS_KEPT = "budgets are kept in whole micro-USD";
