import { expect, test } from "bun:test";
import type { ProviderKind } from "../../shared/snapshot/schema.ts";
import { adapterFor } from "./registry.ts";

test("every provider kind of the snapshot schema has its adapter", () => {
  for (const kind of ["openai", "azure", "anthropic", "gemini"] as ProviderKind[]) expect(adapterFor(kind)?.kind).toBe(kind);
  expect(adapterFor("nope" as ProviderKind)).toBeNull();
});
