/**
 * The tenants of some subtrees, each root's listed apart, read in one small query of the tenant tree.
 *
 * A spend read over a subtree passes these ids to its aggregate as a plain array (`tenant_id =
 * any($1::text[])`) rather than listing the subtree with a recursive CTE inside it: PostgreSQL cannot
 * estimate a recursive CTE's rows (it guesses hundreds), so it scanned the whole of usage_events or
 * usage_tenant_spend_buckets even for a one-day range; with the array it reads them through the
 * (tenant_id, time) index or the buckets' primary key (rv-scale: 110 ms to 0.2 ms per lease read).
 * Pass the ids as a plain JS array (`${ids}::text[]`), not q.array: a client that has not yet read the
 * server's array types sends q.array's value as a bare string (malformed array literal).
 */
import type { Queryable } from "../db/client.ts";

/**
 * Each root's subtree: the root's own id (whether or not such a tenant exists, as the spend sums always
 * counted it) and every tenant below it (union: a broken tree cannot loop).
 */
export async function subtreesOf(q: Queryable, roots: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (roots.length === 0) return out;
  const rows = await q<{ root: string; ids: string[] }[]>`
    with recursive sub(root, id) as (
      select r, r from unnest(${[...roots]}::text[]) r
      union select sub.root, t.id from tenants t join sub on t.parent_id = sub.id
    ) select root, array_agg(id order by id) as ids from sub group by root`;
  for (const row of rows) out.set(row.root, row.ids);
  return out;
}

/** One root's subtree (subtreesOf). */
export async function subtreeOf(q: Queryable, root: string): Promise<string[]> {
  return (await subtreesOf(q, [root])).get(root) ?? [root];
}
