/**
 * Whether two deployments serve the same vendor model, and so the same context window: after one
 * refused a prompt as too long, the walk skips the other (calling it would only be refused again,
 * and billed by some vendors for the tokens read). Same provider and model name; for Azure also the
 * same resource and deployment (`baseUrl`), since an Azure deployment's `model` is a name the
 * operator chose, not the vendor model: `chat` on two resources may be two models.
 *
 * @example sameWindow({ provider: "openai", model: "gpt-4o", ... }, { provider: "openai", model: "gpt-4o", ... }) // true
 */
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";

export function sameWindow(a: SnapshotDeployment, b: SnapshotDeployment): boolean {
  if (a.provider !== b.provider || a.model !== b.model) return false;
  return a.provider !== "azure" || a.baseUrl === b.baseUrl;
}

/** The trail's reason for a deployment skipped because one of the same vendor model refused the prompt as too long. */
export const SAME_WINDOW_TOO_LONG = "context_length_same_model";
