import { brokenDependencies, type EntityWrite, type PolicyState } from "./policy-state.ts";

/** What an open request holds that its dependency check reads. */
export interface DependentRequest {
  kind: "change" | "rollback";
  writes: EntityWrite[];
  bases: EntityWrite[];
}

/**
 * brokenDependencies for a stored request, on approval and on every config change. A change is always
 * judged. A rollback is judged only when its bases hold a dependency entry (recorded since rollbacks
 * record them, c3b1bf1): one proposed before has none, so its deployments were reviewed with no record
 * to compare against, and judging it would refuse (and at the next config change mark stale) one that
 * restores a chain naming a deployment already disabled when it was proposed, though nothing changed.
 * It is judged as it was then: not by dependency. A rollback proposed today records one for every
 * deployment it newly puts in a chain without writing it, so it has none only when each deployment it
 * newly names is one it writes itself, which is reviewed in its own diff.
 */
export function requestBrokenDependencies(request: DependentRequest, state: PolicyState): string[] {
  if (request.kind === "rollback" && !request.bases.some((b) => b.dependency === true)) return [];
  return brokenDependencies(request.writes, request.bases, state);
}
