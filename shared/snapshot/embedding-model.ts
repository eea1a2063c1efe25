/**
 * Which embedding model a deployment serves, for keeping an embeddings plan to one model: vectors of
 * two models live in two spaces (often of two lengths) and cannot be compared, so a fallback to another
 * model would silently corrupt a caller's vector index.
 *
 * The snapshot carries no underlying model apart from a deployment's `model`: for OpenAI and Gemini
 * that is the vendor's model id, for Azure the deployment name. So an Azure deployment counts as the
 * same model as an OpenAI one only when its deployment is named after the model
 * (`text-embedding-3-small`); the README asks operators to name them so. Gemini's resource prefix
 * (`models/gemini-embedding-001`) names the same model as the bare id.
 *
 * Shared: the proxy keeps an embeddings plan to one model with it (region-proxy/pipeline/plan-route.ts),
 * and the control plane publishes per region which deployments such a plan can embed with
 * (control-plane/snapshots/compile-snapshot.ts), so a residency refusal names no region that would
 * refuse the request too. Both pick that model with embeddingPlanModel below.
 *
 * @example embeddingModelName({ provider: "gemini", model: "models/gemini-embedding-001", ... }) // "gemini-embedding-001"
 */
import type { SnapshotDeployment } from "./schema.ts";

export function embeddingModelName(deployment: Pick<SnapshotDeployment, "model">): string {
  return deployment.model.startsWith("models/") ? deployment.model.slice("models/".length) : deployment.model;
}

/**
 * The one model an alias's embeddings plan keeps to: that of the first deployment in `chain` (the
 * alias's deployments in one region, in chain order) that `canEmbed`, whatever the request's residency,
 * or null when none can. Each side says what can embed: the proxy by its adapter, the control plane,
 * which has none, by provider (providerEmbeds, which a registry test holds to the adapters).
 *
 * @example embeddingPlanModel(chain, (d) => providerEmbeds(d.provider)) // "text-embedding-3-small"
 */
export function embeddingPlanModel<D extends Pick<SnapshotDeployment, "model">>(chain: readonly D[], canEmbed: (deployment: D) => boolean): string | null {
  const first = chain.find(canEmbed);
  return first ? embeddingModelName(first) : null;
}
