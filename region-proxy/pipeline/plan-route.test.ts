import { expect, test } from "bun:test";
import type { Snapshot, SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { adapterFor } from "../providers/registry.ts";
import { planRoute } from "./plan-route.ts";
import { residencyRule } from "./residency.ts";

const dep = (id: string, jurisdiction: string | null, flags?: string[]): SnapshotDeployment => ({ id, provider: "openai", baseUrl: "https://x", model: id, region: "us", credentialRef: "env:K", jurisdiction, ...(flags ? { flags } : {}) });
const snapshot = {
  schema: 1,
  region: "us",
  version: 1,
  issuedAt: "2026-01-01T00:00:00Z",
  keys: {},
  tenants: {
    org: { id: "org", name: "org", status: "active", allowedJurisdictions: ["eu"] },
    any: { id: "any", name: "any", status: "active" },
  },
  aliases: { m: { name: "m", chain: ["us_plain", "us_baa", "nowhere"] } },
  deployments: { us_plain: dep("us_plain", "us"), us_baa: dep("us_baa", "us", ["baa"]), nowhere: dep("nowhere", null, ["baa"]) },
  pricing: {},
  regionDirectory: { us: { jurisdictions: ["us"], publicUrl: null }, eu: { jurisdictions: ["eu"], publicUrl: "https://eu.example" }, "eu-2": { jurisdictions: ["eu", "ch"], publicUrl: null } },
} as Snapshot;
const alias = snapshot.aliases.m!;

test("the chain keeps its order and drops what the rule refuses; unknown jurisdiction fits no restriction", () => {
  const plain = planRoute(alias, snapshot, adapterFor, residencyRule(snapshot.tenants.any!, snapshot, null));
  expect(plain.ok && plain.targets.map((t) => t.deployment.id)).toEqual(["us_plain", "us_baa", "nowhere"]);
  const phi = planRoute(alias, snapshot, adapterFor, residencyRule(snapshot.tenants.any!, snapshot, "phi"));
  expect(phi.ok && phi.targets.map((t) => t.deployment.id)).toEqual(["us_baa", "nowhere"]);
});

test("nothing left → residency_violation naming every region that can serve, with its endpoint when known", () => {
  const eu = planRoute(alias, snapshot, adapterFor, residencyRule(snapshot.tenants.org!, snapshot, null));
  expect(eu).toMatchObject({ ok: false, error: { kind: "residency_violation" } });
  const message = !eu.ok && eu.error.kind === "residency_violation" ? eu.error.message : "";
  expect(message).toContain("region us");
  expect(message).toContain("eu (https://eu.example) or eu-2");
});

test("no adapter or no offer is not a residency problem", () => {
  const none = planRoute(alias, snapshot, () => null, residencyRule(snapshot.tenants.org!, snapshot, null));
  expect(none).toMatchObject({ ok: false, error: { kind: "upstream_error" } });
});

test("embeddings keep the model of the chain's first deployment that embeds; Azure counts by its deployment's name", () => {
  const of = (id: string, provider: SnapshotDeployment["provider"], model: string, jurisdiction = "us"): SnapshotDeployment => ({ id, provider, baseUrl: "https://x", model, region: "us", credentialRef: "env:K", jurisdiction });
  const mixed = {
    ...snapshot,
    aliases: { e: { name: "e", chain: ["claude", "oai", "gem", "az", "large", "gem_eu"] } },
    deployments: {
      claude: of("claude", "anthropic", "claude-sonnet-4"),
      oai: of("oai", "openai", "text-embedding-3-small"),
      gem: of("gem", "gemini", "gemini-embedding-001"),
      az: of("az", "azure", "text-embedding-3-small", "eu"),
      large: of("large", "openai", "text-embedding-3-large"),
      gem_eu: of("gem_eu", "gemini", "models/gemini-embedding-001", "eu"),
    },
  } as Snapshot;
  const e = mixed.aliases.e!;
  const embed = planRoute(e, mixed, adapterFor, null, "embeddings");
  expect(embed.ok && embed.targets.map((t) => t.deployment.id)).toEqual(["oai", "az"]);
  // Chat keeps the whole chain.
  expect(planRoute(e, mixed, adapterFor, null, "chat")).toMatchObject({ ok: true, targets: { length: 6 } });
  // The model does not follow the caller's residency: an EU tenant gets the same model in the EU, never Gemini's.
  const eu = planRoute(e, mixed, adapterFor, residencyRule(snapshot.tenants.org!, mixed, null), "embeddings");
  expect(eu.ok && eu.targets.map((t) => t.deployment.id)).toEqual(["az"]);
  // Gemini's resource prefix names the same model as the bare id.
  const gemFirst = planRoute({ name: "g", chain: ["gem", "oai", "gem_eu"] }, mixed, adapterFor, null, "embeddings");
  expect(gemFirst.ok && gemFirst.targets.map((t) => t.deployment.id)).toEqual(["gem", "gem_eu"]);
  // None of the model left where the rule allows: residency_violation, not another model.
  const onlyUs = { ...mixed, deployments: { ...mixed.deployments, az: of("az", "azure", "text-embedding-3-small", "us") } } as Snapshot;
  expect(planRoute(e, onlyUs, adapterFor, residencyRule(snapshot.tenants.org!, onlyUs, null), "embeddings")).toMatchObject({ ok: false, error: { kind: "residency_violation" } });
});
