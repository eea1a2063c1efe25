/**
 * Does a deployment a request was routed to still fit the snapshot held now? A newer snapshot may have
 * removed it (a kill switch, a deletion) or narrowed what the tenant's data may reach (its own or an
 * ancestor's jurisdictions, the deployment re-labelled): judged by the rule residency.ts makes from the
 * held snapshot, the one a new request would be planned with. Asked before each vendor call of a walk
 * admitted under an older snapshot (residency-recheck.ts) and of every running stream on a swap
 * (recheck-streams.ts). The reasons are trail codes (they leave the region in usage events).
 */
import type { Snapshot, SnapshotKey } from "../../shared/snapshot/schema.ts";
import { residencyRule, satisfies, type ResidencyRule } from "./residency.ts";

/** The held snapshot no longer has the deployment (kill switch, deletion). */
export const DEPLOYMENT_REMOVED = "deployment_removed";
/** The held snapshot's residency rule for the tenant and data class no longer allows the deployment. */
export const RESIDENCY_CHANGED = "residency_changed";

export type HeldRefusal = typeof DEPLOYMENT_REMOVED | typeof RESIDENCY_CHANGED;

/**
 * The tenant's rule in `snapshot` (`key`: the request's, for the advice's regions), or null when the
 * snapshot no longer has the tenant (its keys are refused).
 */
export function heldRule(snapshot: Snapshot, tenantId: string, dataClass: string | null, key?: Pick<SnapshotKey, "allowedRegions">): ResidencyRule | null {
  const tenant = Object.hasOwn(snapshot.tenants, tenantId) ? snapshot.tenants[tenantId] : undefined;
  return tenant ? residencyRule(tenant, snapshot, dataClass, key) : null;
}

/**
 * Null when `snapshot` still has the deployment and `rule` allows it as `snapshot` describes it, else
 * why not; a tenant gone (rule null) allows nothing, so nothing more is sent on its behalf.
 */
export function heldRefusal(snapshot: Snapshot, deploymentId: string, rule: ResidencyRule | null): HeldRefusal | null {
  const deployment = Object.hasOwn(snapshot.deployments, deploymentId) ? snapshot.deployments[deploymentId] : undefined;
  if (deployment === undefined) return DEPLOYMENT_REMOVED;
  return rule !== null && satisfies(deployment, rule) ? null : RESIDENCY_CHANGED;
}
