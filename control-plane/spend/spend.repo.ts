/** Aggregates the usage ledger for one tenant over [from, to). */
import type { Queryable } from "../db/client.ts";

export interface SpendRow {
  key: string;
  requests: string;
  inputTokens: string | null;
  outputTokens: string | null;
  costMicros: string | null;
}

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
    select ${key} as key, count(*) as requests, sum(input_tokens) as "inputTokens",
           sum(output_tokens) as "outputTokens", sum(cost_micros) as "costMicros"
    from usage_events
    where tenant_id = ${tenantId} and time >= ${from} and time < ${to}
    group by 1 order by 1`)];
}
