/**
 * A duration in ms as a message to a person shows it: in seconds, at most three decimals, no trailing zeros.
 *
 * @example shownSeconds(60_000) // "60 s"
 * @example shownSeconds(1_500) // "1.5 s"
 */
export function shownSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
