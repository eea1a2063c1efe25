/**
 * Per-request batching: a nested field asks its loader, and every ask in one tick becomes one SQL
 * statement. Made fresh for each request, so nothing is cached across callers.
 */
import DataLoader from "dataloader";
import type { Sql } from "../db/client.ts";
import { approvalsFor, type ApprovalRow } from "../changes/change-request.repo.ts";
import { findTenantsByIds } from "../tenants/tenant.repo.ts";
import type { Tenant } from "../tenants/tenant.type.ts";

export interface RequestLoaders {
  approvals: DataLoader<string, ApprovalRow[]>;
  tenant: DataLoader<string, Tenant | null>;
  /** The tenant ids a tenant admin may see, computed once per request; null = every tenant. */
  scope: { visible: Promise<Set<string> | null> | null };
}

export function makeLoaders(sql: Sql): RequestLoaders {
  return {
    approvals: new DataLoader(async (ids) => {
      const rows = await approvalsFor(sql, ids);
      return ids.map((id) => rows.filter((r) => r.changeId === id));
    }),
    tenant: new DataLoader(async (ids) => {
      const rows = await findTenantsByIds(sql, ids);
      const byId = new Map(rows.map((t) => [t.id, t]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    scope: { visible: null },
  };
}
