import { expect, test } from "bun:test";
import { PROVIDER_KINDS, providerEmbeds } from "../../shared/snapshot/provider-operations.ts";
import type { ProviderKind } from "../../shared/snapshot/schema.ts";
import { adapterFor } from "./registry.ts";

test("every provider kind of the snapshot schema has its adapter", () => {
  for (const kind of ["openai", "azure", "anthropic", "gemini"] as ProviderKind[]) expect(adapterFor(kind)?.kind).toBe(kind);
  expect(adapterFor("nope" as ProviderKind)).toBeNull();
});

test("the adapters offer embeddings exactly where the control plane publishes that a provider can embed", () => {
  expect([...PROVIDER_KINDS].sort()).toEqual(["anthropic", "azure", "gemini", "openai"]);
  for (const kind of PROVIDER_KINDS) expect([kind, adapterFor(kind)?.embeddings !== undefined]).toEqual([kind, providerEmbeds(kind)]);
  expect(providerEmbeds("constructor" as ProviderKind)).toBe(false);
});
