/**
 * Whether any budget governs a request: its key's (daily or monthly cap) or any tenant's from the key's
 * own up to the org. Read from the snapshot alone, as planLimits reads it, without the calendar period
 * a budget check needs (pure).
 *
 * @example budgetApplies(snapshot, key, "ten_project") // true when the org above has a monthly cap
 */
import type { Snapshot, SnapshotKey, SnapshotTenant } from "../../shared/snapshot/schema.ts";
import { someTenantUp } from "./limit-plan.ts";

type Caps = { dailyMicros?: number | null; monthlyMicros?: number | null } | null | undefined;
const capped = (caps: Caps) => (caps?.dailyMicros ?? null) !== null || (caps?.monthlyMicros ?? null) !== null;
const tenantCapped = (tenant: SnapshotTenant) => capped(tenant.budgets);

/** Asked of every routed request before its limits: walks the tenants without building their chain. */
export function budgetApplies(snapshot: Snapshot, key: SnapshotKey, tenantId: string): boolean {
  return capped(key.budgets) || someTenantUp(snapshot, tenantId, tenantCapped);
}
