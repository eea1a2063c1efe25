/**
 * What the control plane knows about one budget level (scope + period): its cap and calendar from the
 * tenant tree, and the authoritative spend per region from the usage ledger.
 *
 * Scopes follow the proxy's planLimits: `ten:<tenant id>` covers that tenant's whole subtree, `key:<lineage
 * id>` one key's spend, every secret rotation gave it included (the keys whose lineage_id it is); a proxy
 * that predates lineageId names a rotated key by its own id, which is its lineage's level (levelScope).
 * Periods are calendar days/months in the org's (root tenant's) time zone, as at the proxy; a period
 * may name the zone it is counted in (`day:2026-03-09@Asia/Tokyo`, shared/leases/zoned-period.ts), which
 * then sets the calendar instead, so a proxy still counting in the org's former zone is answered for the
 * span its counter holds.
 */
import { parseBudgetPeriod } from "../../shared/leases/lease-wire.ts";
import { splitZonedPeriod } from "../../shared/leases/zoned-period.ts";
import { localDayStart } from "../../shared/time/local-day-start.ts";
import type { Queryable } from "../db/client.ts";
import { subtreeOf } from "../tenants/subtrees-of.ts";
import { MAX_SPEND_MICROS } from "./spend-ceiling.ts";
import { ledgerWindows } from "./spend-windows.ts";

export interface BudgetLevel {
  /** The tenant the level belongs to (a key's own tenant for a key budget): its org's time zone sets the calendar. */
  tenantId: string;
  /** Set for a key budget, the key's lineage id: the ledger is summed for the keys of that lineage alone. */
  keyId: string | null;
  capMicros: number;
  /** The zone the period is counted in: the one it names, else the org's. Leases and alerts are keyed by it. */
  timeZone: string;
  /** Local dates bounding the period: start inclusive, end exclusive (YYYY-MM-DD). */
  startDate: string;
  endDate: string;
}

export interface RegionLedgerSpend {
  spentMicros: number;
  /** Ledger rows counted: grows with every new event, so it versions the sum. */
  rows: number;
}

/** Local start/end dates of `day:YYYY-MM-DD` or `month:YYYY-MM`; null for anything else (see parseBudgetPeriod). */
export function periodDates(period: string): { startDate: string; endDate: string } | null {
  const p = parseBudgetPeriod(period);
  if (!p) return null;
  const start = new Date(Date.UTC(p.year, p.month - 1, p.day));
  const end = p.kind === "day" ? new Date(start.getTime() + 86_400_000) : new Date(Date.UTC(p.year, p.month, 1));
  return { startDate: start.toISOString().slice(0, 10), endDate: end.toISOString().slice(0, 10) };
}

/** The tenant id of a `ten:` scope, else null. */
export function tenantOfScope(scope: string): string | null {
  return scope.startsWith("ten:") && scope.length > 4 ? scope.slice(4) : null;
}

/** The key lineage id of a `key:` scope, else null. */
export function keyOfScope(scope: string): string | null {
  return scope.startsWith("key:") && scope.length > 4 ? scope.slice(4) : null;
}

/**
 * The scope the level's leases and alerts are kept under: `key:<lineage id>` for a key level, whichever
 * of its keys' ids `scope` named (findBudgetLevel), so proxies asking by either share one budget; the
 * scope itself for a tenant level.
 */
export function levelScope(level: Pick<BudgetLevel, "keyId">, scope: string): string {
  return level.keyId ? `key:${level.keyId}` : scope;
}

/** The cap of the scope's own row for the period's kind, and the tenant whose tree sets the calendar. */
async function capOf(q: Queryable, scope: string, daily: boolean): Promise<{ tenantId: string; keyId: string | null; cap: string | null } | null> {
  const tenantId = tenantOfScope(scope);
  if (tenantId) {
    const [row] = await q<{ cap: string | null }[]>`select (case when ${daily} then daily_budget_micros else monthly_budget_micros end)::text as cap from tenants where id = ${tenantId}`;
    return row ? { tenantId, keyId: null, cap: row.cap } : null;
  }
  const keyId = keyOfScope(scope);
  if (!keyId) return null;
  // The lineage's latest key: the cap its newest secret was given (a rotation copies it). An id that is
  // no lineage is a rotated key named by its own id (a proxy that predates lineageId): its lineage's level.
  const [row] = await q<{ lineageId: string; tenantId: string; cap: string | null }[]>`
    select lineage_id as "lineageId", tenant_id as "tenantId", (case when ${daily} then daily_budget_micros else monthly_budget_micros end)::text as cap
    from gateway_keys where lineage_id = coalesce((select lineage_id from gateway_keys where lineage_id = ${keyId} limit 1), (select lineage_id from gateway_keys where id = ${keyId}))
    order by created_at desc, id desc limit 1`;
  return row ? { tenantId: row.tenantId, keyId: row.lineageId, cap: row.cap } : null;
}

/**
 * The level's cap and calendar, or null when the control plane holds no cap for it. `period` is a label
 * (counted in the org's zone) or a zoned period (counted in the zone it names).
 */
export async function findBudgetLevel(q: Queryable, scope: string, period: string): Promise<BudgetLevel | null> {
  const { label, timeZone } = splitZonedPeriod(period);
  const dates = periodDates(label);
  if (!dates) return null;
  const owner = await capOf(q, scope, label.startsWith("day:"));
  if (!owner || owner.cap === null) return null;
  return { tenantId: owner.tenantId, keyId: owner.keyId, capMicros: Math.min(MAX_SPEND_MICROS, Number(owner.cap)), timeZone: timeZone ?? (await rootTimeZone(q, owner.tenantId)), ...dates };
}

/**
 * The org's time zone for a tenant (its root tenant's; UTC when unset): the calendar of every budget day
 * and month under it, and of spend.byDay, so a day means the same span everywhere.
 */
export async function rootTimeZone(q: Queryable, tenantId: string): Promise<string> {
  const [root] = await q<{ timeZone: string | null }[]>`
    with recursive up(id, parent_id, time_zone, depth) as (
      select id, parent_id, time_zone, 0 from tenants where id = ${tenantId}
      union all select t.id, t.parent_id, t.time_zone, up.depth + 1 from tenants t join up on t.id = up.parent_id where up.depth < 8
    ) select time_zone as "timeZone" from up order by depth desc limit 1`;
  return root?.timeZone ?? "UTC";
}

/**
 * The ledger's spend on the level (a tenant's subtree, or one key lineage) during its period, per region,
 * saturated at MAX_SPEND_MICROS (spend-ceiling.ts); `rows` counts the events.
 *
 * Read from the 15-minute spend buckets (migration 0099: the key's, or each subtree tenant's; kept by
 * triggers on usage_events in the transaction that writes the events) wholly inside the period, plus the
 * raw events of its partial edge buckets (spendWindows): a month is a few thousand bucket rows per key or
 * tenant and region, however many events it holds, where summing the events took seconds under the
 * level's lock for a busy tenant. Every current zone's midnight is on a bucket edge, so the raw part is
 * usually not read at all.
 *
 * The buckets hold only the events stored since 0099 created them (it does not fill them from the ledger
 * it found, which would hold every ingest for the whole sum): the part of the period before their
 * complete_since is read from the raw events (ledgerWindows), which only periods begun before the
 * upgrade have.
 *
 * A tenant level's subtree is resolved before the sum (subtreesOf), or given as `subtree` by a caller
 * that read it already (raiseUsageAlerts, once per batch), and passed to it as an array: listed by a
 * recursive CTE inside the sum it could not be estimated, and the sum scanned the whole bucket table
 * (rv-scale: 110 ms at 1.5M events under the level's lock, against 0.2 ms through the primary key).
 *
 * `since`: the buckets' complete_since (bucketsCompleteSince), given by a caller that sums many levels
 * (the lease route, once per request); read here when omitted.
 */
export async function ledgerSpendByRegion(q: Queryable, level: BudgetLevel, subtree?: readonly string[], since?: Date | null): Promise<Map<string, RegionLedgerSpend>> {
  const complete = since === undefined ? await bucketsCompleteSince(q) : since;
  const { buckets, raw } = ledgerWindows(periodWindow(level), complete);
  const owned = level.keyId
    ? q`key_id in (select id from gateway_keys where lineage_id = ${level.keyId})`
    : q`tenant_id = any(${[...(subtree ?? (await subtreeOf(q, level.tenantId)))]}::text[])`;
  const bucketTable = level.keyId ? q`usage_key_spend_buckets` : q`usage_tenant_spend_buckets`;
  const parts = [
    q`select region, cost_micros, events from ${bucketTable} where ${owned} and bucket_start >= ${buckets.start} and bucket_start < ${buckets.end}`,
    ...raw.map((w) => q`select region, cost_micros, 1 from usage_events where ${owned} and time >= ${w.start} and time < ${w.end}`),
  ];
  const union = parts.reduce((all, part) => q`${all} union all ${part}`);
  const rows = await q<{ region: string; spent: string; rows: string }[]>`
    select region, least(sum(cost_micros), ${MAX_SPEND_MICROS})::text as spent, sum(events)::text as rows
    from (${union}) spend (region, cost_micros, events)
    group by region`;
  return new Map(rows.map((r) => [r.region, { spentMicros: Number(r.spent), rows: Number(r.rows) }]));
}

/**
 * Since when the spend buckets hold every event (null: all of them): set once by migration 0099, never
 * changed after, so one read serves any number of sums.
 */
export async function bucketsCompleteSince(q: Queryable): Promise<Date | null> {
  const [{ since }] = await q<[{ since: Date | null }]>`select nullif(complete_since, '-infinity') as since from usage_spend_buckets_complete`;
  return since;
}

/**
 * The instants bounding the level's period, [start, end): each the first instant of its local date in
 * the org's time zone, by the rule the proxy labels spend with (shared/time/local-day-start.ts), never
 * PostgreSQL's `at time zone`, which resolves a local midnight that happens twice to the later one.
 */
export function periodWindow(level: Pick<BudgetLevel, "startDate" | "endDate" | "timeZone">): { start: Date; end: Date } {
  return { start: localDayStart(level.startDate, level.timeZone), end: localDayStart(level.endDate, level.timeZone) };
}

/** The instant the level's period ends (the first instant of the next local date in the org's time zone). */
export async function periodEnd(_q: Queryable, level: BudgetLevel): Promise<Date> {
  return periodWindow(level).end;
}
