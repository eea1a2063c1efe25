/**
 * Whether a region serves a budget level: whether its snapshot carries a key the level covers (a key
 * level: a key of its lineage)
 * (keyCarriedBy, whatever the key's status: the keys the region's proxies can spend on). A tenant
 * level covers every key of the tenant's subtree, as the ledger sum does: serveLease reads the subtree
 * once (subtreeOf, under the level's lock) and gives it to both.
 */
import type { Queryable } from "../db/client.ts";
import { keyCarriedBy } from "../keys/key-carried-by.ts";
import { subtreeOf } from "../tenants/subtrees-of.ts";
import type { BudgetLevel } from "./budget-level.repo.ts";

/**
 * True when `region` carries a key of the level's lineage (a key budget) or any key in its tenant's
 * subtree (a tenant budget: `subtree` when the caller read it, else read here).
 */
export async function regionServesLevel(q: Queryable, level: BudgetLevel, region: string, subtree?: readonly string[]): Promise<boolean> {
  const owned = level.keyId ? q`lineage_id = ${level.keyId}` : q`tenant_id = any(${[...(subtree ?? (await subtreeOf(q, level.tenantId)))]}::text[])`;
  const [row] = await q<{ served: boolean }[]>`select exists (select 1 from gateway_keys where ${owned} and ${keyCarriedBy(q, region)}) as served`;
  return row?.served === true;
}
