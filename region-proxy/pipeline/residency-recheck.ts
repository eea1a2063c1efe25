/**
 * The guard a route gives its walk (WalkOptions.recheck): a request's route is planned once, from the
 * snapshot it was admitted under, but its walk may outlast that snapshot (a first deployment thinking
 * for a minute). Before each vendor call the deployment is judged again against the snapshot held
 * now (residency-held.ts): one the newer snapshot removed (kill switch) or whose residency rule no
 * longer allows it for this tenant and data class is skipped, so no fallback or retry sends the prompt
 * where the proxy already knows it may not go. While no snapshot was swapped in since admission (the
 * usual case) the check is one reference compare; the rule is made once per newer snapshot.
 *
 * @example walkChain(targets, operation, { ...opts, recheck: residencyRecheck(deps.current, admitted) })
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { Operation } from "../../shared/snapshot/provider-operations.ts";
import type { Snapshot, SnapshotDeployment, SnapshotKey } from "../../shared/snapshot/schema.ts";
import { heldRefusal, heldRule, RESIDENCY_CHANGED } from "./residency-held.ts";
import { residencyMessage, type ResidencyRule } from "./residency.ts";

export interface AttemptRecheck {
  /** Null when the deployment may be called now, else the trail reason it is skipped for. */
  refuses(deployment: SnapshotDeployment): string | null;
  /** The answer when the walk ends with deployments `refuses` skipped and no failure of its own to tell. */
  answer(): GatewayError;
}

/** What the request was admitted as: the snapshot its route was planned from, and whose rule it is. */
export interface AdmittedRoute {
  snapshot: Snapshot;
  tenantId: string;
  /** The request's key: the residency advice names only regions it is valid in. */
  key: Pick<SnapshotKey, "allowedRegions">;
  dataClass: string | null;
  alias: string;
  operation: Operation;
}

export function residencyRecheck(current: { get(): { snapshot: Snapshot } | null }, admitted: AdmittedRoute): AttemptRecheck {
  // The newest snapshot judged, and its rule for this request (null: the tenant is gone from it).
  let judged = admitted.snapshot;
  let rule: ResidencyRule | null = null;
  let refusedByRule = false;
  return {
    refuses(deployment) {
      const held = current.get()?.snapshot;
      if (held === undefined || held === admitted.snapshot) return null;
      if (held !== judged) {
        judged = held;
        rule = heldRule(held, admitted.tenantId, admitted.dataClass, admitted.key);
      }
      const refusal = heldRefusal(held, deployment.id, rule);
      if (refusal === RESIDENCY_CHANGED) refusedByRule = true;
      return refusal;
    },
    answer() {
      // What a new request gets from the snapshot held now: a key whose tenant is gone is refused; a
      // rule that refuses, the residency_violation naming where it can be served; else nothing is left.
      if (judged !== admitted.snapshot && rule === null) return { kind: "invalid_api_key" };
      if (refusedByRule && rule !== null) return { kind: "residency_violation", message: residencyMessage(rule, judged, admitted.alias, admitted.operation) };
      return { kind: "upstream_unavailable", message: `No deployment of '${admitted.alias}' is available any more.`, retryAfterSeconds: 1 };
    },
  };
}
