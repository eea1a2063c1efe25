/**
 * Step 5, plan the route: the alias's ordered chain of deployments this proxy has an adapter for.
 * The circuit breaker is asked later, by the executor, right before each attempt.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { ProviderKind, Snapshot, SnapshotAlias, SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import type { ProviderAdapter } from "../providers/types.ts";

export interface PlannedTarget {
  deployment: SnapshotDeployment;
  adapter: ProviderAdapter;
}

export function planRoute(
  alias: SnapshotAlias,
  snapshot: Snapshot,
  adapterFor: (kind: ProviderKind) => ProviderAdapter | null,
): { ok: true; targets: PlannedTarget[] } | { ok: false; error: GatewayError } {
  const targets: PlannedTarget[] = [];
  for (const id of alias.chain) {
    const deployment = snapshot.deployments[id];
    const adapter = deployment ? adapterFor(deployment.provider) : null;
    if (!deployment || !adapter) continue;
    targets.push({ deployment, adapter });
  }
  if (targets.length === 0) return { ok: false, error: { kind: "upstream_error", message: `No deployment is available for '${alias.name}'.` } };
  return { ok: true, targets };
}
