/**
 * The guard a route gives its walk (WalkOptions.recheck): a request's route is planned once, from the
 * snapshot it was admitted under, but its walk may outlast that snapshot (a first deployment thinking
 * for a minute). Before each vendor call the request is judged again against the snapshot held now:
 * its key as a new request's would be (authenticate.ts keyStanding: revoked or kill-switched, expired,
 * gone, its tenant disabled), which when refused ends the walk with the new request's answer
 * (invalid_api_key), whatever its calls failed with; and the deployment (residency-held.ts): one the
 * newer snapshot removed (kill switch) or whose residency rule no longer allows it for this tenant and
 * data class is skipped. So no fallback or retry sends the prompt where, or for whom, the proxy already
 * knows it may not. While no snapshot was swapped in since admission (the usual case) the check is one
 * reference compare; the key and the rule are judged once per newer snapshot.
 *
 * @example walkChain(targets, operation, { ...opts, recheck: residencyRecheck(deps.current, admitted) })
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { Operation } from "../../shared/snapshot/provider-operations.ts";
import type { Snapshot, SnapshotDeployment, SnapshotKey } from "../../shared/snapshot/schema.ts";
import { keyStanding } from "./authenticate.ts";
import { KEY_REFUSED } from "./recheck-streams.ts";
import { heldRefusal, heldRule, RESIDENCY_CHANGED } from "./residency-held.ts";
import { residencyMessage, type ResidencyRule } from "./residency.ts";

export interface AttemptRecheck {
  /** Null when the deployment may be called now, else the trail reason it is skipped for. */
  refuses(deployment: SnapshotDeployment): string | null;
  /** The answer when the walk ends with deployments `refuses` skipped and no failure of its own to tell. */
  answer(): GatewayError;
  /**
   * Asked once `refuses` gave a reason: non-null when the snapshot held now refuses the request itself
   * (its key), not only the deployment. The walk then ends at once with this answer, whatever its
   * calls failed with: nothing more is sent on the key's behalf, and the caller is told what a new
   * request with it gets.
   */
  requestRefused(): GatewayError | null;
}

/** What the request was admitted as: the snapshot its route was planned from, and whose rule it is. */
export interface AdmittedRoute {
  snapshot: Snapshot;
  tenantId: string;
  /** The request's key: the residency advice names only regions it is valid in. */
  key: Pick<SnapshotKey, "allowedRegions">;
  /** The key's index in Snapshot.keys (AdmittedRequest.keyHash): its standing is judged in each newer snapshot. */
  keyHash: string;
  dataClass: string | null;
  alias: string;
  operation: Operation;
}

export function residencyRecheck(current: { get(): { snapshot: Snapshot } | null }, admitted: AdmittedRoute, now: () => number = Date.now): AttemptRecheck {
  // The newest snapshot judged, whether it refuses the key, and its rule for this request (null: the
  // key is refused, or the tenant is gone from it).
  let judged = admitted.snapshot;
  let keyRefused = false;
  let rule: ResidencyRule | null = null;
  let refusedByRule = false;
  return {
    refuses(deployment) {
      const held = current.get()?.snapshot;
      if (held === undefined || held === admitted.snapshot) return null;
      if (held !== judged) {
        judged = held;
        keyRefused = !keyStanding(admitted.keyHash, held, now()).ok;
        rule = keyRefused ? null : heldRule(held, admitted.tenantId, admitted.dataClass, admitted.key);
      }
      if (keyRefused) return KEY_REFUSED;
      const refusal = heldRefusal(held, deployment.id, rule);
      if (refusal === RESIDENCY_CHANGED) refusedByRule = true;
      return refusal;
    },
    requestRefused() {
      return keyRefused ? { kind: "invalid_api_key" } : null;
    },
    answer() {
      // What a new request gets from the snapshot held now: a key refused (its tenant gone among the
      // reasons), invalid_api_key; a rule that refuses, the residency_violation naming where it can be
      // served; else nothing is left.
      if (judged !== admitted.snapshot && rule === null) return { kind: "invalid_api_key" };
      if (refusedByRule && rule !== null) return { kind: "residency_violation", message: residencyMessage(rule, judged, admitted.alias, admitted.operation) };
      return { kind: "upstream_unavailable", message: `No deployment of '${admitted.alias}' is available any more.`, retryAfterSeconds: 1 };
    },
  };
}
