/**
 * Whether a region serves a budget level: whether its snapshot carries a key the level covers (a key
 * level: a key of its lineage)
 * (keyCarriedBy, whatever the key's status: the keys the region's proxies can spend on). A tenant
 * level covers every key of the tenant's subtree, as the ledger sum does.
 */
import type { Queryable } from "../db/client.ts";
import { keyCarriedBy } from "../keys/key-carried-by.ts";
import type { BudgetLevel } from "./budget-level.repo.ts";

/** True when `region` carries a key of the level's lineage (a key budget) or any key in its tenant's subtree. */
export async function regionServesLevel(q: Queryable, level: BudgetLevel, region: string): Promise<boolean> {
  const [row] = level.keyId
    ? await q<{ served: boolean }[]>`
        select exists (select 1 from gateway_keys where lineage_id = ${level.keyId} and ${keyCarriedBy(q, region)}) as served`
    : await q<{ served: boolean }[]>`
        with recursive sub(id) as (
          select ${level.tenantId}::text union select t.id from tenants t join sub on t.parent_id = sub.id
        )
        select exists (
          select 1 from gateway_keys where tenant_id in (select id from sub) and ${keyCarriedBy(q, region)}
        ) as served`;
  return row?.served === true;
}
