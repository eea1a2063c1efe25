/**
 * Step 5, plan the route: the alias's ordered chain, reduced to the deployments that satisfy the
 * request's residency rule (residency.ts) and whose adapter in this proxy offers the operation. Filtering happens
 * here, before the executor walks the chain, so no fallback can cross a residency boundary. The
 * circuit breaker is asked later, by the executor, right before each attempt.
 *
 * Embeddings keep one model: that of the chain's first deployment able to embed, whatever the
 * request's residency (so the model does not depend on who asks or with which data class). The chain's
 * deployments of another model (shared/snapshot/embedding-model.ts) are left out of the plan like those that cannot
 * embed: a fallback to them would answer vectors of another space, of another length.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { Operation } from "../../shared/snapshot/provider-operations.ts";
import type { ProviderKind, Snapshot, SnapshotAlias, SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import type { ProviderAdapter } from "../providers/types.ts";
import { embeddingModelName, embeddingPlanModel } from "../../shared/snapshot/embedding-model.ts";
import { residencyMessage, satisfies, type ResidencyRule } from "./residency.ts";

export interface PlannedTarget {
  deployment: SnapshotDeployment;
  adapter: ProviderAdapter;
}

/**
 * @example planRoute(alias, snapshot, adapterFor, residencyRule(tenant, snapshot, "phi"))
 */
export function planRoute(
  alias: SnapshotAlias,
  snapshot: Snapshot,
  adapterFor: (kind: ProviderKind) => ProviderAdapter | null,
  rule: ResidencyRule | null = null,
  /** What the request asks: embeddings keeps only adapters that offer them, of one model, here and in the refusal's advice. */
  operation: Operation = "chat",
): { ok: true; targets: PlannedTarget[] } | { ok: false; error: GatewayError } {
  const targets: PlannedTarget[] = [];
  let refusedByRule = 0;
  const canEmbed = (d: SnapshotDeployment) => adapterFor(d.provider)?.embeddings !== undefined;
  const model = operation === "embeddings" ? embeddingPlanModel(alias.chain.flatMap((id) => snapshot.deployments[id] ?? []), canEmbed) : null;
  for (const id of alias.chain) {
    const deployment = snapshot.deployments[id];
    const adapter = deployment ? adapterFor(deployment.provider) : null;
    if (!deployment || !adapter || (operation === "embeddings" && adapter.embeddings === undefined)) continue;
    if (operation === "embeddings" && embeddingModelName(deployment) !== model) continue;
    if (rule && !satisfies(deployment, rule)) {
      refusedByRule++;
      continue;
    }
    targets.push({ deployment, adapter });
  }
  if (targets.length === 0 && refusedByRule > 0 && rule) return { ok: false, error: { kind: "residency_violation", message: residencyMessage(rule, snapshot, alias.name, operation) } };
  if (targets.length === 0) return { ok: false, error: { kind: "upstream_error", message: `No deployment is available for '${alias.name}'.` } };
  return { ok: true, targets };
}
