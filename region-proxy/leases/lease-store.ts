/**
 * Where a region's replicas keep the leases the control plane granted them. In memory for one replica;
 * in Redis (redis-lease-store.ts) when configured, so a replica that starts (or restarts while the
 * control plane is down) picks up the region's current allowance instead of starting from nothing.
 * A stored lease is replaced only by one that expires later: the newest answer of the control plane wins.
 * Replicas' clocks may disagree, so a shared store must compare and hand back lives, not instants
 * (redis-lease-store.ts keeps them on Redis's clock).
 */
export interface StoredLease {
  scope: string;
  period: string;
  capMicros: number;
  grantedMicros: number;
  /** Epoch ms on the saving or loading replica's own clock (the lease client's `now`). */
  expiresAt: number;
  exhausted: boolean;
}

export interface LeaseStore {
  load(scope: string, period: string): Promise<StoredLease | null>;
  /** Keeps the lease unless the stored one expires later. */
  save(lease: StoredLease): Promise<void>;
}

/**
 * A lease not saved again for this long is forgotten (40 days: past any month period), in Redis by the
 * key's TTL and in memory by a sweep. Without it the in-process store kept one entry per budgeted
 * level per day (periods are calendar days and months), forever.
 */
export const LEASE_KEEP_MS = 40 * 86_400_000;
/** Leases held before the first sweep. */
const SWEEP_ABOVE = 1_000;
/** A sweep also runs a day after the last, so no lease is held much past LEASE_KEEP_MS. */
const SWEEP_EVERY_MS = 86_400_000;

/**
 * A store that lives as long as the proxy. Leases not saved for LEASE_KEEP_MS are forgotten: looked for
 * once the map has doubled since the last sweep, or a day after it (at most one walk of the map a day,
 * and the map holds only leases saved in the last 41 days or so; the doubling covers a clock set back).
 */
export function createMemoryLeaseStore(): LeaseStore & { size(): number } {
  const leases = new Map<string, { lease: StoredLease; savedAt: number }>();
  let sweepAt = SWEEP_ABOVE;
  let sweptAt = Date.now();
  const forgotten = (entry: { savedAt: number }, now: number) => now - entry.savedAt >= LEASE_KEEP_MS;

  function sweep(now: number): void {
    if (leases.size < sweepAt && now - sweptAt < SWEEP_EVERY_MS) return;
    for (const [id, entry] of leases) if (forgotten(entry, now)) leases.delete(id);
    sweepAt = Math.max(SWEEP_ABOVE, leases.size * 2);
    sweptAt = now;
  }

  return {
    /** How many leases are held (forgotten ones until the next sweep included). */
    size: () => leases.size,
    async load(scope, period) {
      const entry = leases.get(`${scope}|${period}`);
      return entry && !forgotten(entry, Date.now()) ? entry.lease : null;
    },
    async save(lease) {
      const now = Date.now();
      sweep(now);
      const id = `${lease.scope}|${lease.period}`;
      const seen = leases.get(id);
      if (!seen || forgotten(seen, now) || seen.lease.expiresAt <= lease.expiresAt) leases.set(id, { lease: { ...lease }, savedAt: now });
    },
  };
}
