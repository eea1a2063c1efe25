/** Aggregates the usage ledger for one tenant and its whole subtree over [from, to). */
import { rootTimeZone } from "../budgets/budget-level.repo.ts";
import type { Queryable } from "../db/client.ts";
import { subtreeOf } from "../tenants/subtrees-of.ts";

export interface SpendRow {
  key: string;
  /** The gateway key's name on a `key` row (null when the key is not the subtree's); null on the others. */
  name?: string | null;
  requests: string;
  inputTokens: string | null;
  outputTokens: string | null;
  costMicros: string | null;
  /** How many groups the row sums: "1", or on an OTHER_GROUPS_KEY row the groups not listed. */
  groups?: string;
}

/**
 * Events booked without `X-Feature-Id` are grouped under this key. The edge takes only feature ids of
 * `[A-Za-z0-9._:-]` (region-proxy/pipeline/build-context.ts), so a real feature cannot be named so;
 * and it reads as byModel's key for an event without a vendor model.
 */
export const NO_FEATURE_KEY = "(none)";

/**
 * The row summing the model, feature and key groups not listed (outside the page `skip`, `top`). No
 * feature id (see NO_FEATURE_KEY) or key id (`key_…`) can take it.
 */
export const OTHER_GROUPS_KEY = "(other)";
/** byModel, byFeature and byKey list this many groups unless asked for another number, at most MAX_TOP_GROUPS. */
export const DEFAULT_TOP_GROUPS = 100;
export const MAX_TOP_GROUPS = 1000;

/** A page of the model, feature and key groups ranked by cost: ranks skip + 1 to skip + top. */
export interface GroupPage {
  top: number;
  skip: number;
}

/**
 * The total row and the rows by vendor model, by day in `timeZone`, by feature and by key, each group
 * sorted by key; model, feature and key rows only a page of them by cost, then an OTHER_GROUPS_KEY row.
 */
export interface SpendGroups {
  /** The org's (root tenant's) IANA time zone, the one budget days are in: `day` rows are its days. */
  timeZone: string;
  total: SpendRow | undefined;
  model: SpendRow[];
  day: SpendRow[];
  feature: SpendRow[];
  key: SpendRow[];
}

type GroupName = "total" | "model" | "day" | "feature" | "key";

/** Token totals stop at 2^53 - 1 (the SafeInt fields' limit); cost is summed exactly, as a string. */
const MAX_SAFE = String(Number.MAX_SAFE_INTEGER);

/**
 * The total, by vendor model, by day, by feature and by gateway key, in one statement (grouping sets):
 * one snapshot of the ledger, so under live ingestion the groups still add up to the total, and one scan
 * of it (usage_events_tenant_time_idx, the subtree's ids passed as an array: subtreesOf). Days are the org's (rootTimeZone, as for budgets), so a day row
 * is the spend of that budget day, not of a UTC day. A key row is a key lineage (every secret rotateKey
 * gave the key: one key, one row), under the id the lineage started with, its keys' groups summed after
 * the scan (one gateway_keys lookup per key, not per event); it carries the key's name only when the key
 * belongs to the subtree, so a stray ledger row never shows another tenant's key name.
 *
 * Model, feature and key groups are open-ended (a feature id is whatever a client sends: one per end
 * user made 80,001 rows): each lists one page of its groups ranked by cost (ties by key), ranks
 * skip + 1 to skip + top, and folds every other group, before the page and after it, into one
 * OTHER_GROUPS_KEY row in the same statement, so each page still adds up to the total and paging with
 * skip = 0, top, 2 * top, … reaches every group. Days are bounded by the range asked for and kept whole.
 */
export async function aggregateSpendGroups(
  q: Queryable,
  tenantId: string,
  from: Date,
  to: Date,
  { top, skip }: GroupPage = { top: DEFAULT_TOP_GROUPS, skip: 0 },
): Promise<SpendGroups> {
  const last = skip + top;
  const timeZone = await rootTimeZone(q, tenantId);
  // An org's spend is its teams' and projects' spend too: the subtree, read first and passed as an
  // array, which the planner can estimate (a recursive CTE here made every report a Seq Scan of the ledger).
  const subtree = await subtreeOf(q, tenantId);
  const rows = await q<(SpendRow & { group: GroupName })[]>`
    with g as (
      select case when grouping(model) = 0 then 'model' when grouping(day) = 0 then 'day'
                  when grouping(feature) = 0 then 'feature' when grouping(key_id) = 0 then 'key' else 'total' end as "group",
             coalesce(model, day, feature, key_id, 'total') as key, count(*) as requests,
             -- coalesce first: least() skips a null, so an empty range's null sum would read as the ceiling.
             least(coalesce(sum(input_tokens), 0), ${MAX_SAFE}::numeric) as "inputTokens",
             least(coalesce(sum(output_tokens), 0), ${MAX_SAFE}::numeric) as "outputTokens", sum(cost_micros) as "costMicros"
      from (
        select coalesce(vendor_model, '(none)') as model, to_char(time at time zone ${timeZone}, 'YYYY-MM-DD') as day,
               coalesce(feature_id, ${NO_FEATURE_KEY}) as feature, key_id, input_tokens, output_tokens, cost_micros
        from usage_events
        where tenant_id = any(${subtree}::text[]) and time >= ${from} and time < ${to}
      ) e
      group by grouping sets ((), (model), (day), (feature), (key_id))
    ), lineages as (
      select "group", key, requests, "inputTokens", "outputTokens", "costMicros" from g where "group" <> 'key'
      union all
      select 'key', coalesce(k.lineage_id, g.key), sum(g.requests), least(sum(g."inputTokens"), ${MAX_SAFE}::numeric),
             least(sum(g."outputTokens"), ${MAX_SAFE}::numeric), sum(g."costMicros")
      from g left join gateway_keys k on k.id = g.key
      where g."group" = 'key'
      group by coalesce(k.lineage_id, g.key)
    ), ranked as (
      select l.*, case when "group" in ('model', 'feature', 'key')
                       then row_number() over (partition by "group" order by "costMicros" desc, key collate "C") end as rank
      from lineages l
    )
    select * from (
    select r."group", r.key, r.requests, r."inputTokens", r."outputTokens", r."costMicros", 1::bigint as groups, k.name
    from ranked r
    left join gateway_keys k on r."group" = 'key' and k.id = r.key and k.tenant_id = any(${subtree}::text[])
    where r.rank is null or (r.rank > ${skip} and r.rank <= ${last})
    union all
    select "group", ${OTHER_GROUPS_KEY}::text, sum(requests), least(sum("inputTokens"), ${MAX_SAFE}::numeric),
           least(sum("outputTokens"), ${MAX_SAFE}::numeric), sum("costMicros"), count(*), null
    from ranked where rank <= ${skip} or rank > ${last}
    group by "group"
    ) u
    order by "group", key = ${OTHER_GROUPS_KEY}, key`;
  const groups: SpendGroups = { timeZone, total: undefined, model: [], day: [], feature: [], key: [] };
  for (const { group, ...row } of rows) {
    if (group === "total") groups.total = row;
    else groups[group].push(row);
  }
  return groups;
}

/** Rows grouped by `group`: the vendor model, the org's day, the feature, the gateway key, or nothing (one total row). */
export async function aggregateSpend(q: Queryable, tenantId: string, from: Date, to: Date, group: GroupName): Promise<SpendRow[]> {
  const groups = await aggregateSpendGroups(q, tenantId, from, to);
  return group === "total" ? (groups.total ? [groups.total] : []) : groups[group];
}
