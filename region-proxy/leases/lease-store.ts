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

/** A store that lives as long as the proxy. */
export function createMemoryLeaseStore(): LeaseStore {
  const leases = new Map<string, StoredLease>();
  return {
    async load(scope, period) {
      return leases.get(`${scope}|${period}`) ?? null;
    },
    async save(lease) {
      const id = `${lease.scope}|${lease.period}`;
      const seen = leases.get(id);
      if (!seen || seen.expiresAt <= lease.expiresAt) leases.set(id, { ...lease });
    },
  };
}
