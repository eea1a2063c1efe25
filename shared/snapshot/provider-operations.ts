/**
 * What each provider's deployments can do beyond chat, shared by the control plane (which publishes
 * it per alias in the region directory, so a residency_violation names only regions that can answer
 * the operation) and the proxy (whose adapters must agree: region-proxy/providers/registry.test.ts).
 */
import type { ProviderKind } from "./schema.ts";

/** The operations a request can ask of an alias; every provider offers chat. */
export type Operation = "chat" | "embeddings";

/** A Record over every ProviderKind, so adding a provider without deciding this does not compile. */
const EMBEDS: Readonly<Record<ProviderKind, boolean>> = {
  openai: true,
  azure: true,
  gemini: true,
  // Anthropic has no embeddings endpoint (it points to Voyage AI).
  anthropic: false,
};

export const PROVIDER_KINDS = Object.keys(EMBEDS) as readonly ProviderKind[];

/** Can a deployment of this provider answer /v1/embeddings? */
export function providerEmbeds(provider: ProviderKind): boolean {
  // Own keys only: the snapshot's provider is not checked against the known kinds.
  return Object.hasOwn(EMBEDS, provider) && EMBEDS[provider];
}
