/**
 * Whether the control plane's clock and the proxy's disagree, read from the HTTP Date header of an
 * answer. Leases with `ttlMs` do not depend on it (they are timed on the proxy's clock), but usage
 * events are dated by the proxy's clock and booked by the control plane's, and a control plane that
 * sends no `ttlMs` states expiries on its own clock: a skew worth a line in the log. It does not compare
 * a region's replicas with each other, whose clocks the replay of budget settles queued during a Redis
 * outage assumes agree within about a second (redis-budget-ledger.ts createRedisBudgetLedger).
 */

/**
 * The line to log when the Date header of an answer differs from the proxy's clock by more than
 * `thresholdMs`, naming which is ahead; null when they agree, or without a readable header. The header
 * has whole seconds and was written between `sentAt` and `receivedAt`: the estimate is within 0.5 s
 * plus half the round trip.
 *
 * @example clockSkewNote("Wed, 25 Nov 2026 10:00:00 GMT", sentAt, receivedAt)
 *   // "… this proxy's clock is 90 s ahead of the control plane's …" (or null)
 */
export function clockSkewNote(dateHeader: string | null, sentAt: number, receivedAt: number, thresholdMs = 30_000): string | null {
  const date = dateHeader === null ? Number.NaN : Date.parse(dateHeader);
  if (!Number.isFinite(date)) return null;
  const offset = (sentAt + receivedAt) / 2 - (date + 500);
  if (Math.abs(offset) <= thresholdMs) return null;
  const seconds = Math.round(Math.abs(offset) / 1000);
  return (
    `this proxy's clock is about ${seconds} s ${offset > 0 ? "ahead of" : "behind"} the control plane's (its HTTP Date header); ` +
    "usage events are dated by this clock, and leases from a control plane that sends no ttlMs expire by the other: check time sync (NTP)"
  );
}
