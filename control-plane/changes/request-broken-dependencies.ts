import { brokenDependencies, dependencyBases, type EntityWrite, type PolicyState } from "./policy-state.ts";

/** What an open request holds that its dependency check reads. */
export interface DependentRequest {
  kind: "change" | "rollback";
  writes: EntityWrite[];
  bases: EntityWrite[];
  /** The config version it was proposed on. */
  baseVersion: number;
}

/**
 * brokenDependencies for a stored request, on approval and on every config change. A rollback proposed
 * before rollbacks recorded their dependencies (c3b1bf1) has none in its bases; judged without them it
 * would be refused (and at the next config change marked stale) for restoring a chain that names a
 * deployment already disabled when it was proposed, though nothing changed, and not judging it at all
 * would let it route to a deployment kill-switched or redefined since. The state it was proposed on is
 * on record (config_states at its base version): its dependencies are taken from there, as it would
 * have recorded them. A rollback whose every newly named deployment is one it writes itself records
 * none and needs none.
 */
export async function requestBrokenDependencies(request: DependentRequest, state: PolicyState, stateAt: (version: number) => Promise<PolicyState | null>): Promise<string[]> {
  if (request.kind === "rollback" && !request.bases.some((b) => b.dependency === true)) {
    const deps = dependencyBases(request.writes, request.bases, (await stateAt(request.baseVersion)) ?? state);
    if (deps.length === 0) return [];
    return brokenDependencies(request.writes, [...request.bases, ...deps], state);
  }
  return brokenDependencies(request.writes, request.bases, state);
}
