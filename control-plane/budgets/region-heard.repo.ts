/**
 * Whether a region has reached the control plane since its lease on a level lapsed (expired past the
 * reclaim grace), by what the control plane records of its proxies: a snapshot poll (proxies.last_seen_at,
 * what `regions { proxies }` lists; every proxy polls every second or so) or a lease ask for any level
 * (an ask at t saves its level's lease with expires_at = t + ttlMs, whatever it grants). A region heard
 * from since is not cut off and its proxies run, so its usage outbox ships: the ledger's spend for it
 * counts, and its unspent grant is released (grant-lease.ts heldByOther). One silent since keeps it held.
 */
import type { Queryable } from "../db/client.ts";
import { leaseLapsed, type LeasePolicy } from "./grant-lease.ts";

/** The regions of `leases` whose lease lapsed by `now` and that have been heard from since it did. */
export async function heardSinceLapse(
  q: Queryable,
  leases: { region: string; expiresAt: Date }[],
  now: Date,
  policy: LeasePolicy,
): Promise<Set<string>> {
  const heard = new Set<string>();
  for (const lease of leases) {
    if (!leaseLapsed(lease.expiresAt, now, policy)) continue;
    const lapsedAt = new Date(lease.expiresAt.getTime() + policy.reclaimGraceMs);
    const askedAfter = new Date(lapsedAt.getTime() + policy.ttlMs);
    const [row] = await q<{ heard: boolean }[]>`
      select exists (select 1 from proxies where region = ${lease.region} and last_seen_at > ${lapsedAt})
        or exists (select 1 from budget_leases where region = ${lease.region} and expires_at > ${askedAfter}) as heard`;
    if (row?.heard) heard.add(lease.region);
  }
  return heard;
}
