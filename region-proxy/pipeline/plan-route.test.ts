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
