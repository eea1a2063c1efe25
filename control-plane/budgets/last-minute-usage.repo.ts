/** The requests and tokens of the last minute in the ledger, over a tenant's subtree or one key lineage (budgetStatus, limitStatus). */
import type postgres from "postgres";
import type { Queryable } from "../db/client.ts";
import { subtreeOf } from "../tenants/subtrees-of.ts";

export interface LastMinuteUsage {
  requests: number;
  /** Input + output tokens, at most MAX_TOKENS. */
  tokens: number;
}

/**
 * Where a minute's token sum (input + output, in SQL) stops: each event's counts are safe integers but
 * their sum need not be, and the SafeInt fields must get an exact figure, never a failed query.
 */
const MAX_TOKENS = Number.MAX_SAFE_INTEGER;

/** The last minute's usage of the events `owned` selects (a condition on usage_events). */
async function lastMinuteUsage(q: Queryable, owned: postgres.Fragment): Promise<LastMinuteUsage> {
  const [usage] = await q<{ requests: number; tokens: string }[]>`
    select count(*)::int as requests, least(coalesce(sum(input_tokens + output_tokens), 0), ${MAX_TOKENS})::text as tokens
    from usage_events where ${owned} and time > now() - interval '60 seconds' and time <= now()`;
  return { requests: usage?.requests ?? 0, tokens: Number(usage?.tokens ?? 0) };
}

/**
 * The last minute's usage of a tenant and every tenant below it: the subtree read first (subtreesOf) and
 * passed as an array, so the (tenant_id, time) index is searched by both columns.
 */
export async function subtreeLastMinuteUsage(q: Queryable, tenantId: string): Promise<LastMinuteUsage> {
  const subtree = await subtreeOf(q, tenantId);
  return lastMinuteUsage(q, q`tenant_id = any(${subtree}::text[])`);
}

/** The last minute's usage of every key of a lineage (a rotated key and the secrets it replaced). */
export async function lineageLastMinuteUsage(q: Queryable, lineageId: string): Promise<LastMinuteUsage> {
  return lastMinuteUsage(q, q`key_id in (select id from gateway_keys where lineage_id = ${lineageId})`);
}
