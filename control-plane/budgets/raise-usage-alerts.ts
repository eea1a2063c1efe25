/**
 * Raises the 80% and 100% alerts (raise-alert.ts) of the budget levels a usage batch's newly stored
 * events count in. serveLease raises them too, but only for a period a proxy still asks for: events of
 * a closed period that arrive late (an outbox replayed after an outage) are counted by no lease ask.
 *
 * Only closed periods, and those ending within PERIOD_END_WINDOW_MS, are checked here: a period still
 * running in the org's zone is asked for by the proxies spending in it (they ask for their current
 * periods, a tracked level at least every 10 s), and serveLease raises its alerts then. In a period's
 * last minute that ask may come only after the period ended and name only the next one, so a crossing
 * ingested then would never be checked: it is checked here (review rr R3). So a batch of the current
 * period, the usual case, costs no query here (none at all when its events are of a quarter hour that
 * runs on for over a minute, two (cappedScopesOf) otherwise) and no level work; checking every level a batch touches cost ~7 sequential queries per capped level
 * (1,416 for 500 events over 100 capped keys: 171 ms against 29 without caps).
 *
 * Runs in the ingest transaction, after the events are stored, so an acknowledged batch has had its
 * alerts checked (a failed check fails the batch, which its proxy sends again). Only the levels with a
 * cap that the events touch are read: per event, its key's and each of its tenant's ancestors' day and
 * month, labelled at the event's booked time in the org's time zone (the zone findBudgetLevel counts a
 * bare label in).
 *
 * Each level is checked under its lease lock (lockLevel), taken in byte order of (scope, period, zone):
 * a concurrent batch of another region on the same level waits for this one to commit and then reads
 * its events, so two batches that cross a threshold together, neither alone, still raise it. The
 * transaction's other locks (usage_events ids, spend buckets, gateway_keys) are all taken before, and
 * serveLease holds one level lock and waits on none of those, so no cycle forms.
 */
import { zonedPeriod } from "../../shared/leases/zoned-period.ts";
import { periodLabels } from "../../shared/time/local-date.ts";
import type { Queryable } from "../db/client.ts";
import { subtreesOf } from "../tenants/subtrees-of.ts";
import { findBudgetLevel, ledgerSpendByRegion, tenantOfScope } from "./budget-level.repo.ts";
import { cappedScopesOf } from "./capped-scopes.repo.ts";
import { lockLevel } from "./lease.repo.ts";
import { raiseAlertIfCrossed } from "./raise-alert.ts";
import { addMicros } from "./spend-ceiling.ts";

const QUARTER_HOUR_MS = 15 * 60_000;
/** A period ending within this long of an ingestion is checked as a closed one (above). */
const PERIOD_END_WINDOW_MS = 60_000;

export interface StoredSpend {
  tenantId: string;
  keyId: string;
  /** The time the event was booked at (bookingTime). */
  time: Date;
}

/** Checks every capped level the events count in; returns how many alerts were raised. */
export async function raiseUsageAlerts(q: Queryable, events: StoredSpend[]): Promise<number> {
  // Periods still running a minute from now are left to the lease asks; the rest are checked.
  const horizon = new Date(Date.now() + PERIOD_END_WINDOW_MS);
  // Every zone's day, and so its month, starts on a UTC quarter hour (every current offset is a
  // multiple of 15 minutes): events booked in the quarter hour still running a minute from now are in
  // running periods in every zone, so the usual batch (events of the last second or so) reads nothing
  // here at all, except in a quarter hour's last minute.
  const runningQuarter = Math.floor(horizon.getTime() / QUARTER_HOUR_MS);
  if (events.every((e) => Math.floor(e.time.getTime() / QUARTER_HOUR_MS) === runningQuarter)) return 0;
  const capped = await cappedScopesOf(
    q,
    [...new Set(events.map((e) => e.tenantId))],
    [...new Set(events.map((e) => e.keyId))],
  );
  const levels = new Map<string, { scope: string; label: string; timeZone: string }>();
  const current = new Map<string, { day: string; month: string }>();
  for (const event of events) {
    const tenant = capped.tenants.get(event.tenantId);
    if (!tenant) continue;
    const labels = periodLabels(event.time, tenant.timeZone);
    let running = current.get(tenant.timeZone);
    if (!running) current.set(tenant.timeZone, (running = periodLabels(horizon, tenant.timeZone)));
    for (const kind of ["day", "month"] as const) {
      if (labels[kind] === running[kind]) continue;
      const key = capped.keys.get(event.keyId);
      const scopes = [...tenant.scopes[kind], ...(key?.[kind] ? [`key:${key.lineageId}`] : [])];
      for (const scope of scopes) levels.set(`${scope}|${labels[kind]}|${tenant.timeZone}`, { scope, label: labels[kind], timeZone: tenant.timeZone });
    }
  }
  // Every tenant level's subtree in one read for the batch, each level's sum then through the indexes
  // (ledgerSpendByRegion): a 500-event late batch over 50 capped tenants took 7-12 s, each level's sum
  // scanning the whole bucket table, past the proxy's 10 s send timeout (rv-scale).
  const subtrees = await subtreesOf(q, [...new Set([...levels.values()].flatMap(({ scope }) => tenantOfScope(scope) ?? []))]);
  let raised = 0;
  for (const id of [...levels.keys()].sort(byteOrder)) {
    const { scope, label, timeZone } = levels.get(id)!;
    await lockLevel(q, scope, label, timeZone);
    const level = await findBudgetLevel(q, scope, zonedPeriod(label, timeZone));
    if (!level) continue;
    const ledger = await ledgerSpendByRegion(q, level, level.keyId ? undefined : subtrees.get(level.tenantId));
    const spentMicros = addMicros(...[...ledger.values()].map((r) => r.spentMicros));
    raised += (await raiseAlertIfCrossed(q, { tenantId: level.tenantId, scope, period: label, timeZone, capMicros: level.capMicros, spentMicros })).length;
  }
  return raised;
}

/** PostgreSQL's "C" order, the same in every locale: one lock order for every batch. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
