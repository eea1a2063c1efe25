/** Aggregates the usage ledger for one tenant and its whole subtree over [from, to). */
import { rootTimeZone } from "../budgets/budget-level.repo.ts";
import type { Queryable } from "../db/client.ts";

export interface SpendRow {
  key: string;
  requests: string;
  inputTokens: string | null;
  outputTokens: string | null;
  costMicros: string | null;
}

/** The total row, the rows by vendor model and the rows by day in `timeZone`, each group sorted by key. */
export interface SpendGroups {
  /** The org's (root tenant's) IANA time zone, the one budget days are in: `day` rows are its days. */
  timeZone: string;
  total: SpendRow | undefined;
  model: SpendRow[];
  day: SpendRow[];
}

/** Token totals stop at 2^53 - 1 (the SafeInt fields' limit); cost is summed exactly, as a string. */
const MAX_SAFE = String(Number.MAX_SAFE_INTEGER);

/**
 * The total, by vendor model and by day, in one statement (grouping sets): one snapshot of the ledger,
 * so under live ingestion the groups still add up to the total, and one scan of it. Days are the org's
 * (rootTimeZone, as for budgets), so a day row is the spend of that budget day, not of a UTC day.
 */
export async function aggregateSpendGroups(q: Queryable, tenantId: string, from: Date, to: Date): Promise<SpendGroups> {
  const timeZone = await rootTimeZone(q, tenantId);
  const rows = await q<(SpendRow & { group: "total" | "model" | "day" })[]>`
    select case when grouping(model) = 0 then 'model' when grouping(day) = 0 then 'day' else 'total' end as "group",
           coalesce(model, day, 'total') as key, count(*) as requests,
           -- coalesce first: least() skips a null, so an empty range's null sum would read as the ceiling.
           least(coalesce(sum(input_tokens), 0), ${MAX_SAFE}::numeric) as "inputTokens",
           least(coalesce(sum(output_tokens), 0), ${MAX_SAFE}::numeric) as "outputTokens", sum(cost_micros) as "costMicros"
    from (
      select coalesce(vendor_model, '(none)') as model, to_char(time at time zone ${timeZone}, 'YYYY-MM-DD') as day,
             input_tokens, output_tokens, cost_micros
      from usage_events
      where tenant_id in (
        -- An org's spend is its teams' and projects' spend too (union: a broken tree cannot loop).
        with recursive subtree(id) as (
          select ${tenantId}::text union select t.id from tenants t join subtree s on t.parent_id = s.id
        ) select id from subtree
      ) and time >= ${from} and time < ${to}
    ) e
    group by grouping sets ((), (model), (day))
    order by 1, 2`;
  const groups: SpendGroups = { timeZone, total: undefined, model: [], day: [] };
  for (const { group, ...row } of rows) {
    if (group === "total") groups.total = row;
    else groups[group].push(row);
  }
  return groups;
}

/** Rows grouped by `group`: the vendor model, the org's day, or nothing (one total row). */
export async function aggregateSpend(
  q: Queryable,
  tenantId: string,
  from: Date,
  to: Date,
  group: "model" | "day" | "total",
): Promise<SpendRow[]> {
  const groups = await aggregateSpendGroups(q, tenantId, from, to);
  return group === "total" ? (groups.total ? [groups.total] : []) : groups[group];
}
