/** Aggregates the usage ledger for one tenant and its whole subtree over [from, to). */
import type { Queryable } from "../db/client.ts";

export interface SpendRow {
  key: string;
  requests: string;
  inputTokens: string | null;
  outputTokens: string | null;
  costMicros: string | null;
}

/** Token totals stop at 2^53 - 1 (the SafeInt fields' limit); cost is summed exactly, as a string. */
const MAX_SAFE = String(Number.MAX_SAFE_INTEGER);

/** Rows grouped by `group`: the vendor model, the UTC day, or nothing (one total row). */
export async function aggregateSpend(
  q: Queryable,
  tenantId: string,
  from: Date,
  to: Date,
  group: "model" | "day" | "total",
): Promise<SpendRow[]> {
  const key =
    group === "model"
      ? q`coalesce(vendor_model, '(none)')`
      : group === "day"
        ? q`to_char(time at time zone 'UTC', 'YYYY-MM-DD')`
        : q`'total'`;
  return [...(await q<SpendRow[]>`
    select ${key} as key, count(*) as requests, least(sum(input_tokens), ${MAX_SAFE}::numeric) as "inputTokens",
           least(sum(output_tokens), ${MAX_SAFE}::numeric) as "outputTokens", sum(cost_micros) as "costMicros"
    from usage_events
    where tenant_id in (
      -- An org's spend is its teams' and projects' spend too (union: a broken tree cannot loop).
      with recursive subtree(id) as (
        select ${tenantId}::text union select t.id from tenants t join subtree s on t.parent_id = s.id
      ) select id from subtree
    ) and time >= ${from} and time < ${to}
    group by 1 order by 1`)];
}
