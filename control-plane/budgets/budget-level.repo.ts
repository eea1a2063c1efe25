/**
 * What the control plane knows about one budget level (scope + period): its cap and calendar from the
 * tenant tree, and the authoritative spend per region from the usage ledger.
 *
 * Scopes follow the proxy's planLimits: `ten:<tenant id>` covers that tenant's whole subtree. Key
 * budgets (`key:…`) have no control-plane row, so they are not managed here.
 * Periods are calendar days/months in the org's (root tenant's) time zone, as at the proxy.
 */
import type { Queryable } from "../db/client.ts";

export interface BudgetLevel {
  tenantId: string;
  capMicros: number;
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

/** Local start/end dates of `day:YYYY-MM-DD` or `month:YYYY-MM`; null for anything else. */
export function periodDates(period: string): { startDate: string; endDate: string } | null {
  const day = /^day:(\d{4})-(\d{2})-(\d{2})$/.exec(period);
  if (day) {
    const start = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
    if (Number.isNaN(start.getTime())) return null;
    const end = new Date(start.getTime() + 86_400_000);
    return { startDate: start.toISOString().slice(0, 10), endDate: end.toISOString().slice(0, 10) };
  }
  const month = /^month:(\d{4})-(\d{2})$/.exec(period);
  if (month) {
    const start = new Date(Date.UTC(Number(month[1]), Number(month[2]) - 1, 1));
    const end = new Date(Date.UTC(Number(month[1]), Number(month[2]), 1));
    return { startDate: start.toISOString().slice(0, 10), endDate: end.toISOString().slice(0, 10) };
  }
  return null;
}

/** The tenant id of a `ten:` scope, else null. */
export function tenantOfScope(scope: string): string | null {
  return scope.startsWith("ten:") && scope.length > 4 ? scope.slice(4) : null;
}

/** The level's cap and calendar, or null when the control plane holds no cap for it. */
export async function findBudgetLevel(q: Queryable, scope: string, period: string): Promise<BudgetLevel | null> {
  const tenantId = tenantOfScope(scope);
  const dates = periodDates(period);
  if (!tenantId || !dates) return null;
  const rows = await q<{ daily: string | null; monthly: string | null; timeZone: string | null }[]>`
    with recursive up(id, parent_id, time_zone, depth) as (
      select id, parent_id, time_zone, 0 from tenants where id = ${tenantId}
      union all select t.id, t.parent_id, t.time_zone, up.depth + 1 from tenants t join up on t.id = up.parent_id where up.depth < 8
    )
    select (select daily_budget_micros::text from tenants where id = ${tenantId}) as daily,
           (select monthly_budget_micros::text from tenants where id = ${tenantId}) as monthly,
           (select time_zone from up order by depth desc limit 1) as "timeZone"
    from tenants where id = ${tenantId}`;
  const row = rows[0];
  if (!row) return null;
  const cap = period.startsWith("day:") ? row.daily : row.monthly;
  if (cap === null) return null;
  return { tenantId, capMicros: Number(cap), timeZone: row.timeZone ?? "UTC", ...dates };
}

/** The ledger's spend on the level's subtree during its period, per region. */
export async function ledgerSpendByRegion(q: Queryable, level: BudgetLevel): Promise<Map<string, RegionLedgerSpend>> {
  const rows = await q<{ region: string; spent: string; rows: number }[]>`
    with recursive sub(id) as (
      select ${level.tenantId}::text union select t.id from tenants t join sub on t.parent_id = sub.id
    )
    select region, coalesce(sum(cost_micros), 0)::text as spent, count(*)::int as rows
    from usage_events
    where tenant_id in (select id from sub)
      and time >= (${level.startDate}::timestamp at time zone ${level.timeZone})
      and time < (${level.endDate}::timestamp at time zone ${level.timeZone})
    group by region`;
  return new Map(rows.map((r) => [r.region, { spentMicros: Number(r.spent), rows: r.rows }]));
}

/** The instant the level's period ends (its local midnight in the org's time zone). */
export async function periodEnd(q: Queryable, level: BudgetLevel): Promise<Date> {
  const [row] = await q<{ end: Date }[]>`select (${level.endDate}::timestamp at time zone ${level.timeZone}) as "end"`;
  return row!.end;
}
