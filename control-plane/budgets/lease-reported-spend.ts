/**
 * How much of the spend a region reports for a budget level the control plane believes.
 *
 * A region reports its own spend counter with every ask (shared/leases/lease-wire.ts), ahead of the
 * ledger: its usage events reach PostgreSQL only after the outbox's window and ingestion. The report
 * counts against the cap for the rest of the period, so it must not be taken on the region's word alone:
 * a stolen region token or a buggy proxy could otherwise report a tenant's whole cap and exhaust it for
 * every region, with nothing in the ledger. A region admits a reservation only within its grant
 * (spent + reserved ≤ granted), so it can spend past its grant only by requests that settle above
 * their reservation: the most it can have spent is its grant for the level and period plus that
 * overrun, and the ledger's spend for it, which is authoritative, whatever that says.
 */
import { addMicros } from "./spend-ceiling.ts";

/**
 * The overrun allowance, as a fraction of the region's grant: how far a report may pass the grant and
 * still be believed. Reservations are worst cases (estimated prompt plus max_tokens, at the dearest
 * price column), so requests settle above them only through the estimate error - a prompt tokenized
 * above its estimate, a fallback to a dearer deployment - and the sum of that error over a grant is
 * usually nothing. The allowance need not cover the worst case: spend above it is not lost, only
 * counted once its usage events reach the ledger (seconds later; during a fail-open Redis outage a
 * proxy spends unchecked, and that spend too reaches the budget this way).
 */
export const REPORTED_OVERRUN_FRACTION = 0.1;

/**
 * The most a region can have spent on a level: its grant plus the overrun allowance, or its ledger
 * spend if that is more. A region never granted anything (no lease) can have spent only what its
 * ledger holds.
 * @example reportableSpend(50_000, 0) // 55_000
 */
export function reportableSpend(grantedMicros: number, ledgerMicros: number): number {
  return Math.max(ledgerMicros, addMicros(grantedMicros, Math.floor(grantedMicros * REPORTED_OVERRUN_FRACTION)));
}

/**
 * The grant kept on record for the region (what reportableSpend reads next time), given the grant just
 * answered and the spend it was sized from (max(ledger, believed report)). An answer that leaves no
 * room (answered ≤ spent) only acknowledges spend: it lets the region admit nothing, so it does not
 * raise the record, or each ask past the grant would lift the next ask's ceiling by another allowance
 * (an over-committed level answers every ask with its spend). The ledger's spend always counts. The
 * region's spend is kept beside it (reported_spent_micros), so what it holds against the cap,
 * max(granted, spent), is the same either way.
 * @example grantOnRecord(55_000, 55_000, 50_000, 0) // 50_000: the answer only acknowledged the overrun
 */
export function grantOnRecord(answeredMicros: number, spentMicros: number, previousMicros: number, ledgerMicros: number): number {
  if (answeredMicros > spentMicros) return answeredMicros;
  return Math.max(Math.min(answeredMicros, previousMicros), ledgerMicros);
}

/**
 * The spend believed for a region: the highest it reported (now, or before: `lease`), held to
 * reportableSpend. Figures before this bound existed are held to it too.
 */
export function believedSpend(reportedMicros: number, lease: { grantedMicros: number; reportedSpentMicros: number } | undefined, ledgerMicros: number): number {
  return Math.min(Math.max(reportedMicros, lease?.reportedSpentMicros ?? 0), reportableSpend(lease?.grantedMicros ?? 0, ledgerMicros));
}

/** The log line for a report past reportableSpend, with the figures it was judged by. */
export function ignoredReportNote(region: string, scope: string, period: string, reportedMicros: number, grantedMicros: number, ledgerMicros: number): string {
  return (
    `leases: region ${region} reported ${reportedMicros} µ$ spent on ${scope} ${period}, but could have spent at most ${reportableSpend(grantedMicros, ledgerMicros)} µ$ ` +
    `(granted ${grantedMicros}, ledger ${ledgerMicros}, overrun allowance ${REPORTED_OVERRUN_FRACTION * 100}% of the grant): the excess is ignored ` +
    "(logged once per region, level and period); its usage events still count when they reach the ledger"
  );
}
