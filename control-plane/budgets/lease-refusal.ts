/**
 * The answer to a region that asks for a level it serves no key of (lease-region.repo.ts): a refusal
 * in the answer's own terms, so the rest of its batch is still answered. It grants no room (its ledger
 * spend, so a proxy's counter still repairs up to it) and says the lease cannot grow, so a proxy that
 * did serve such a key would refuse it as spent (429 `insufficient_quota`); nothing is saved and no
 * alert is raised, so the ask changes nothing for the regions that do serve the level.
 */
import type { LeaseAsk, LeaseGrant } from "../../shared/leases/lease-wire.ts";
import type { BudgetLevel, RegionLedgerSpend } from "./budget-level.repo.ts";
import type { LeasePolicy } from "./grant-lease.ts";

/** The refusal for `ask`, with the region's own ledger figures. */
export function refusedLease(ask: LeaseAsk, level: BudgetLevel, ledger: RegionLedgerSpend | undefined, policy: LeasePolicy, now: Date): LeaseGrant {
  const spent = ledger?.spentMicros ?? 0;
  return {
    scope: ask.scope,
    period: ask.period,
    managed: true,
    capMicros: level.capMicros,
    grantedMicros: spent,
    expiresAt: new Date(now.getTime() + policy.ttlMs).toISOString(),
    ttlMs: policy.ttlMs,
    exhausted: true,
    ledgerSpentMicros: spent,
    ledgerVersion: ledger?.rows ?? 0,
  };
}

/** The log line for a refusal: which region asked for what it does not serve. */
export function refusalNote(region: string, ask: LeaseAsk, level: BudgetLevel): string {
  const why = level.keyId ? `key ${level.keyId} is not allowed in ${region}` : `no key of that tenant or below it is allowed in ${region}`;
  return `leases: region ${region} asked for ${ask.scope} ${ask.period} (reporting ${ask.spentMicros} µ$ spent), but ${why}: refused, no room granted`;
}
