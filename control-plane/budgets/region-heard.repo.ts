/**
 * Whether a region's usage has reached the control plane since its lease on a level lapsed (expired past
 * the reclaim grace), by what its proxies report on their snapshot polls (every proxy polls every second
 * or so): each sends the age of the oldest usage event its outbox has not shipped (0 when none:
 * x-usage-outbox-oldest-age-ms), kept on its proxies row as usage_drained_up_to (receive time − age:
 * everything it recorded before has shipped) with last_seen_at. The region is heard from once it has a
 * proxy seen since the lapse and every proxy of it seen since last reported a drained_up_to past the
 * lapse: what it spent under the lapsed lease (settled by the lapse, which includes the grace for
 * requests in flight) is in the ledger, so the ledger's spend for it counts and its unspent grant is
 * released (grant-lease.ts heldByOther). A busy region's outboxes are never empty at a poll, but hold
 * only events a second or two old, so it is heard from at its first polls after the lapse.
 *
 * A poll alone, or a lease ask for another level, shows only that the region reaches the control plane:
 * after a partition heals, the snapshot loop, the lease client and the usage flusher resume each on its
 * own backoff, so either can come before the outbox ships what the region spent unseen (its oldest
 * unshipped event then predates the lapse). A proxy that reports no age (older than the header) leaves
 * the region unheard, as does one seen since the lapse whose outbox last held usage from before it.
 * The region's own ask for the level reports its spend and releases the rest as before (grant-lease.ts).
 * One query per lapsed lease, on proxies' (region, id) key.
 */
import type { Queryable } from "../db/client.ts";
import { leaseLapsed, type LeasePolicy } from "./grant-lease.ts";

/** The regions of `leases` whose lease lapsed by `now` and whose usage has shipped since it did. */
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
    // bool_and of no rows is null (no proxy seen since: not heard); an unreported age is not drained.
    const [row] = await q<{ heard: boolean | null }[]>`
      select bool_and(coalesce(usage_drained_up_to > ${lapsedAt}, false)) as heard
      from proxies where region = ${lease.region} and last_seen_at > ${lapsedAt}`;
    if (row?.heard) heard.add(lease.region);
  }
  return heard;
}
