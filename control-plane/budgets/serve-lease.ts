/**
 * Answers one region's ask for one budget level (a key level under its lineage, whichever of its keys' ids
 * the ask names: budget-level.repo.ts levelScope). In one transaction under a per-level lock: read a
 * tenant level's subtree once, the ledger and every region's lease; refuse a region that serves no key
 * of the level (lease-refusal.ts: nothing saved); otherwise believe each region's reported spend only
 * up to what it could have spent (lease-reported-spend.ts), update the asker's spend rate, grow its
 * allowance (grantLease), and raise the 80% and 100% alerts the global spend reached at the current cap
 * (raise-alert.ts).
 *
 * The database round trips are what a level costs (the route serves a request's levels one after
 * another, and a database a few ms away makes each one that much longer): the reads under the lock go
 * out together right behind it (one pipelined round trip: PostgreSQL runs them in order on the
 * transaction's connection, so each reads after the lock is held), then the region check and the
 * ledger sum, which take the subtree, together, and so do the lease's save and the alerts' inserts. A
 * request's levels share one read of the buckets' complete_since (`bucketsSince`).
 *
 * The level's period is the ask's label in the zone the proxy counted it in (`timeZone`), or in the
 * org's zone for a proxy that predates the field: leases and alerts are kept per zone, so a label whose
 * zone changed starts afresh, with the ledger window of the zone it is counted in.
 */
import type { LeaseAsk, LeaseGrant } from "../../shared/leases/lease-wire.ts";
import { zonedPeriod } from "../../shared/leases/zoned-period.ts";
import type { Sql } from "../db/client.ts";
import { findBudgetLevel, ledgerSpendByRegion, levelScope } from "./budget-level.repo.ts";
import { DEFAULT_LEASE_POLICY, grantLease, leaseLapsed, nextRate, type LeasePolicy, type RegionState } from "./grant-lease.ts";
import { heardSinceLapse } from "./region-heard.repo.ts";
import { regionServesLevel } from "./lease-region.repo.ts";
import { refusalNote, refusedLease } from "./lease-refusal.ts";
import { believedSpend, grantOnRecord, ignoredReportNote, reportableSpend } from "./lease-reported-spend.ts";
import { leasesOf, lockLevel, saveLease } from "./lease.repo.ts";
import { raiseAlertIfCrossed } from "./raise-alert.ts";
import { addMicros } from "./spend-ceiling.ts";
import { subtreeOf } from "../tenants/subtrees-of.ts";

/**
 * One level's grant for `region`; `{ managed: false }` when the control plane holds no cap for it.
 * `log` hears refusals and reports that were not believed (once per region, level and period).
 * `bucketsSince`: bucketsCompleteSince, read once by a caller serving many levels (omitted: read here).
 */
export async function serveLease(
  sql: Sql,
  region: string,
  ask: LeaseAsk,
  policy: LeasePolicy = DEFAULT_LEASE_POLICY,
  now = new Date(),
  log: (line: string) => void = () => {},
  bucketsSince?: Date | null,
): Promise<LeaseGrant> {
  const level = await findBudgetLevel(sql, ask.scope, ask.timeZone === undefined ? ask.period : zonedPeriod(ask.period, ask.timeZone));
  if (!level) return { scope: ask.scope, period: ask.period, managed: false };
  // A key level's leases are kept under its lineage, whichever of its keys' ids the ask named.
  const scope = levelScope(level, ask.scope);
  return sql.begin(async (tx) => {
    // Sent in this order, run in this order: every read is under the lock. A tenant level's subtree is
    // read once, for both the region check and the ledger sum (a key level has none).
    const [, subtree, leases] = await Promise.all([
      lockLevel(tx, scope, ask.period, level.timeZone),
      level.keyId ? undefined : subtreeOf(tx, level.tenantId),
      leasesOf(tx, scope, ask.period, level.timeZone),
    ]);
    const [served, ledger] = await Promise.all([regionServesLevel(tx, level, region, subtree), ledgerSpendByRegion(tx, level, subtree, bucketsSince)]);
    if (!served) {
      log(refusalNote(region, ask, level));
      return refusedLease(ask, level, ledger.get(region), policy, now);
    }
    const regions = new Set([...ledger.keys(), ...leases.map((l) => l.region), region]);
    const heard = await heardSinceLapse(tx, leases.filter((l) => l.region !== region), now, policy);
    const states: RegionState[] = [];
    for (const name of regions) {
      const lease = leases.find((l) => l.region === name);
      const ledgerSpent = ledger.get(name)?.spentMicros ?? 0;
      states.push({
        region: name,
        grantedMicros: lease?.grantedMicros ?? 0,
        // Every region's report is held to what it could have spent, the asker's new one included.
        spentMicros: Math.max(ledgerSpent, believedSpend(name === region ? ask.spentMicros : 0, lease, ledgerSpent)),
        // Past expiry + grace. The asker's unused allowance is released then (it just reported its spend);
        // another lapsed region's only once it was heard from since, else it may have spent it unseen (grant-lease.ts).
        lapsed: lease ? leaseLapsed(lease.expiresAt, now, policy) : true,
        heardSinceLapse: heard.has(name),
      });
    }
    const own = states.find((s) => s.region === region)!;
    const mine = leases.find((l) => l.region === region);
    const ownLedger = ledger.get(region)?.spentMicros ?? 0;
    const believed = believedSpend(ask.spentMicros, mine, ownLedger);
    const ignored = ask.spentMicros > reportableSpend(mine?.grantedMicros ?? 0, ownLedger);
    if (ignored && !mine?.ignoredReportedMicros) log(ignoredReportNote(region, ask.scope, ask.period, ask.spentMicros, mine?.grantedMicros ?? 0, ownLedger));
    const rate = mine ? nextRate(mine.rateMicrosPerS, believedSpend(0, mine, ownLedger), believed, now.getTime() - mine.updatedAt.getTime()) : 0;
    const grant = grantLease({
      capMicros: level.capMicros,
      requester: own,
      others: states.filter((s) => s.region !== region),
      rateMicrosPerS: rate,
      needMicros: ask.needMicros ?? 0,
      policy,
    });
    const expiresAt = new Date(now.getTime() + policy.ttlMs);
    const globalSpent = addMicros(...states.map((s) => s.spentMicros));
    // Neither reads what the other writes: sent together.
    await Promise.all([
      saveLease(tx, scope, ask.period, level.timeZone, {
        region,
        grantedMicros: grantOnRecord(grant.grantedMicros, own.spentMicros, mine?.grantedMicros ?? 0, ownLedger),
        reportedSpentMicros: believed,
        ignoredReportedMicros: Math.max(mine?.ignoredReportedMicros ?? 0, ignored ? ask.spentMicros : 0),
        rateMicrosPerS: rate,
        expiresAt,
      }),
      raiseAlertIfCrossed(tx, { tenantId: level.tenantId, scope, period: ask.period, timeZone: level.timeZone, capMicros: level.capMicros, spentMicros: globalSpent }),
    ]);
    return {
      scope: ask.scope,
      period: ask.period,
      managed: true,
      capMicros: level.capMicros,
      grantedMicros: grant.grantedMicros,
      expiresAt: expiresAt.toISOString(),
      // Relative, so the proxy times it on its own clock (from when it sent the ask, before `now`).
      ttlMs: policy.ttlMs,
      exhausted: grant.exhausted,
      ledgerSpentMicros: ownLedger,
      ledgerVersion: ledger.get(region)?.rows ?? 0,
    };
  });
}
