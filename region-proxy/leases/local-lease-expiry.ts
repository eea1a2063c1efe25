/**
 * When a granted lease expires, on the proxy's own clock.
 *
 * With `ttlMs`: the proxy's clock when it SENT the ask plus the lease's life. The control plane stamps
 * the lease after the ask arrived, so the round trip counts against the lease and the proxy stops using
 * it no later than the control plane's own expiry, whatever the two clocks read. Without it (a control
 * plane older than the field): the absolute `expiresAt`, read as if the two clocks agreed, as before.
 *
 * @example localLeaseExpiry({ expiresAt: "2026-11-25T10:01:00Z", ttlMs: 60_000 }, sentAt) // sentAt + 60 000
 */
export function localLeaseExpiry(grant: { expiresAt: string; ttlMs?: number }, sentAt: number): number {
  return grant.ttlMs === undefined ? Date.parse(grant.expiresAt) : sentAt + grant.ttlMs;
}
