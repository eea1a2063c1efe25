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
 * @example embeddingModelName({ provider: "gemini", model: "models/gemini-embedding-001", ... }) // "gemini-embedding-001"
 */
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";

export function embeddingModelName(deployment: SnapshotDeployment): string {
  return deployment.model.startsWith("models/") ? deployment.model.slice("models/".length) : deployment.model;
}
