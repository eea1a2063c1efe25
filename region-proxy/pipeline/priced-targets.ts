/**
 * Step 5b, after planning the route: a request under a budget goes only to deployments the snapshot has
 * a price for. An unpriced one would reserve and charge 0 (limits/enforce-limits.ts, settle.ts), so no
 * budget could ever stop it. The control plane refuses such a configuration (control-plane/changes/
 * unpriced-routes.ts); this is the proxy's own guard for what still arrives (an older snapshot, a race).
 * Skipped deployments go on the attempt trail with reason `unpriced`, where the walk passes them in the
 * chain (an answer after a skipped first deployment is a fallback); when none is left the request is
 * refused with 503 deployment_unpriced. A request under no budget keeps its whole plan (routes/settler.ts
 * counts what it is served there).
 *
 * @example pricedTargets(plan.targets, snapshot, "chat", budgetApplies(snapshot, key, tenant.id))
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import { priceKey, type Snapshot, type SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import type { PlannedTarget } from "./plan-route.ts";

/** A planned deployment left out before the walk, for the attempt trail. */
export interface SkippedTarget {
  deployment: SnapshotDeployment;
  reason: string;
  /**
   * Where it stood in the plan: the index, among the deployments kept, of the first one after it
   * (their count when none is). The walk writes its step when it reaches that deployment, so the trail
   * follows the chain; 0 marks the alias's first planned deployment, which `fallback` is judged against.
   */
  before: number;
}

/** The trail's reason for a deployment left out for having no price. */
const UNPRICED_REASON = "unpriced";
const NONE_SKIPPED: readonly SkippedTarget[] = Object.freeze([]);

function isPriced(snapshot: Snapshot, deployment: SnapshotDeployment): boolean {
  return Object.hasOwn(snapshot.pricing, priceKey(deployment.provider, deployment.model));
}

export function pricedTargets(
  targets: PlannedTarget[],
  snapshot: Snapshot,
  alias: string,
  budgeted: boolean,
): { ok: true; targets: PlannedTarget[]; skipped: readonly SkippedTarget[] } | { ok: false; error: GatewayError } {
  if (!budgeted || targets.every((t) => isPriced(snapshot, t.deployment))) return { ok: true, targets, skipped: NONE_SKIPPED };
  const priced: PlannedTarget[] = [];
  const skipped: SkippedTarget[] = [];
  for (const t of targets) {
    if (isPriced(snapshot, t.deployment)) priced.push(t);
    else skipped.push({ deployment: t.deployment, reason: UNPRICED_REASON, before: priced.length });
  }
  if (priced.length === 0) {
    return { ok: false, error: { kind: "deployment_unpriced", message: `No deployment of '${alias}' has a price, and a request under a budget is only served where it can be charged. Ask the gateway's operator to set the price.` } };
  }
  return { ok: true, targets: priced, skipped };
}
