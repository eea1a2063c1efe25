/**
 * ProviderKind → adapter. Registering a vendor is one line in ADAPTERS.
 */
import type { ProviderKind } from "../../shared/snapshot/schema.ts";
import { anthropicAdapter } from "./anthropic/adapter.ts";
import { azureAdapter } from "./azure/adapter.ts";
import { geminiAdapter } from "./gemini/adapter.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ProviderAdapter } from "./types.ts";

const ADAPTERS: Partial<Record<ProviderKind, ProviderAdapter>> = {
  openai: openaiAdapter,
  azure: azureAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
};

/** The adapter for a deployment's provider, or null when this build has none (that deployment is skipped). */
export function adapterFor(kind: ProviderKind): ProviderAdapter | null {
  return ADAPTERS[kind] ?? null;
}
