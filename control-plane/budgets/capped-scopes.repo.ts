/**
 * Which budget scopes of some tenants and keys have a cap, read in two queries for a whole usage batch
 * (raise-usage-alerts.ts), so a batch whose spend counts in no capped level costs no per-level reads.
 */
import type { Queryable } from "../db/client.ts";

export interface TenantScopes {
  /** The org's time zone (its root tenant's, UTC when unset): the calendar of every level over the tenant, as rootTimeZone. */
  timeZone: string;
  /** The `ten:` scopes whose level covers the tenant's spend (itself and its ancestors) that have a daily, a monthly cap. */
  scopes: { day: string[]; month: string[] };
}

export interface CappedScopes {
  tenants: Map<string, TenantScopes>;
  /** Whether each key has a daily, a monthly cap of its own, counted under `key:<lineageId>`. */
  keys: Map<string, { lineageId: string; day: boolean; month: boolean }>;
}

/** Tenants that do not exist are left out; so are keys. */
export async function cappedScopesOf(q: Queryable, tenantIds: string[], keyIds: string[]): Promise<CappedScopes> {
  // Ancestors up to the depth rootTimeZone walks, each with its distance from the tenant it was reached from.
  const chain = await q<{ origin: string; id: string; depth: number; timeZone: string | null; day: boolean; month: boolean }[]>`
    with recursive up(origin, id, parent_id, time_zone, depth, day, month) as (
      select id, id, parent_id, time_zone, 0, daily_budget_micros is not null, monthly_budget_micros is not null
      from tenants where id = any(${q.array(tenantIds)}::text[])
      union all select up.origin, t.id, t.parent_id, t.time_zone, up.depth + 1, t.daily_budget_micros is not null, t.monthly_budget_micros is not null
      from tenants t join up on t.id = up.parent_id where up.depth < 8
    ) select origin, id, depth, time_zone as "timeZone", day, month from up order by origin, depth`;
  const tenants = new Map<string, TenantScopes>();
  for (const row of chain) {
    let tenant = tenants.get(row.origin);
    if (!tenant) tenants.set(row.origin, (tenant = { timeZone: "UTC", scopes: { day: [], month: [] } }));
    // Rows come root-last: the last one's zone is the org's.
    tenant.timeZone = row.timeZone ?? "UTC";
    if (row.day) tenant.scopes.day.push(`ten:${row.id}`);
    if (row.month) tenant.scopes.month.push(`ten:${row.id}`);
  }
  const keyRows = await q<{ id: string; lineageId: string; day: boolean; month: boolean }[]>`
    select id, lineage_id as "lineageId", daily_budget_micros is not null as day, monthly_budget_micros is not null as month
    from gateway_keys where id = any(${q.array(keyIds)}::text[])`;
  return { tenants, keys: new Map(keyRows.map((k) => [k.id, { lineageId: k.lineageId, day: k.day, month: k.month }])) };
}
