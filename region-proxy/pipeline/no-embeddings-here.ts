/**
 * The refusal for /v1/embeddings when no deployment of the alias in this region can embed: 400
 * invalid_value on `model`, unless the tenant's residency rule restricts and another region embeds
 * the alias under it (regionDirectory), in which case the residency_violation naming that region, as
 * planRoute answers when this region's embedding deployments are outside the rule. A refusal path only.
 *
 * @example if (!offersEmbeddings) return refuse(deps, noEmbeddingsHere(alias.name, snapshot, rule), requestId);
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import { residencyMessage, restricts, servedElsewhere, type ResidencyRule } from "./residency.ts";

export function noEmbeddingsHere(aliasName: string, snapshot: Snapshot, rule: ResidencyRule): GatewayError {
  if (restricts(rule) && servedElsewhere(rule, snapshot, aliasName, "embeddings")) {
    return { kind: "residency_violation", message: residencyMessage(rule, snapshot, aliasName, "embeddings") };
  }
  return { kind: "invalid_value", param: "model", message: "this alias has no deployment that offers embeddings" };
}
