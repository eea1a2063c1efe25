/**
 * Deployment rules: a known provider, a base URL the proxy can append paths to (deployment-base-url.ts;
 * for Azure, a current api-version) and send the credential to (plain http only to a private host:
 * plaintext-base-url.ts), a model
 * the proxy can name in a header (deployment-model.ts), a credential reference, never a secret, and
 * timeouts within their bounds (deployment-timeouts.ts).
 */
import { newId } from "../../shared/ids.ts";
import type { ProviderKind } from "../../shared/snapshot/schema.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput } from "../graphql/errors.ts";
import { MAX_DEPLOYMENT_FLAGS, requireAtMost } from "../graphql/list-bounds.ts";
import { requirePattern } from "../graphql/validate.ts";
import { REGION_NAME_PATTERN } from "../regions/region-name.ts";
import { runConfigChange } from "../snapshots/config-change.ts";
import { requireDeploymentBaseUrl } from "./deployment-base-url.ts";
import { requireCredentialRef } from "./credential-ref.ts";
import { requireDeploymentModel } from "./deployment-model.ts";
import { requireEncryptedBaseUrl } from "./plaintext-base-url.ts";
import { requireTimeouts } from "./deployment-timeouts.ts";
import type { CreateDeploymentInput } from "./deployment.input.ts";
import { insertDeployment } from "./deployment.repo.ts";
import type { Deployment } from "./deployment.type.ts";

export { requireAzureApiVersion } from "./azure-api-version.ts";
export { requireDeploymentBaseUrl } from "./deployment-base-url.ts";
export const PROVIDER_KINDS: readonly ProviderKind[] = ["openai", "azure", "anthropic", "gemini"];
export { CREDENTIAL_REF_PATTERN, requireCredentialRef } from "./credential-ref.ts";
export { requireDeploymentModel } from "./deployment-model.ts";
export const JURISDICTION_PATTERN = /^[a-z][a-z0-9-]{1,15}$/;
export const FLAG_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

export function requireProvider(field: string, value: string): ProviderKind {
  if (!(PROVIDER_KINDS as readonly string[]).includes(value)) throw badInput(field, `must be one of ${PROVIDER_KINDS.join(", ")}`);
  return value as ProviderKind;
}

export async function createDeployment(ctx: GraphQLContext, input: CreateDeploymentInput): Promise<Deployment> {
  const provider = requireProvider("provider", input.provider);
  const fields = {
    id: newId("dep"),
    provider,
    baseUrl: requireEncryptedBaseUrl("baseUrl", requireDeploymentBaseUrl("baseUrl", provider, input.baseUrl), ctx.deps.allowPlaintextVendorUrls),
    model: requireDeploymentModel("model", input.model),
    region: requirePattern("region", input.region, REGION_NAME_PATTERN),
    credentialRef: requireCredentialRef("credentialRef", input.credentialRef),
    jurisdiction: input.jurisdiction ? requirePattern("jurisdiction", input.jurisdiction, JURISDICTION_PATTERN) : null,
    flags: [...new Set(requireAtMost("flags", input.flags ?? [], MAX_DEPLOYMENT_FLAGS).map((f, i) => requirePattern(`flags[${i}]`, f, FLAG_PATTERN)))].sort(),
    timeouts: requireTimeouts("timeouts", input.timeouts),
  };
  return runConfigChange(ctx.deps, ctx.who, async (tx) => {
    const deployment = await insertDeployment(tx, fields);
    return { result: deployment, audit: { action: "deployment.create", target: deployment.id, after: deployment } };
  });
}
