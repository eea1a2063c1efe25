/**
 * An embeddings plan keeps one model: that of the chain's first deployment able to embed (plan-route.ts,
 * review rx X1). A residency_violation must then name only regions whose plan of the alias, so reduced,
 * has a deployment meeting the rule: a region that can embed under the rule only with a deployment of
 * another model than its plan's refuses the request too. Both regions' snapshots are compiled from the
 * same rows, as the control plane publishes them, and each proxy's answer is what planRoute gives.
 */
import { expect, test } from "bun:test";
import { compileSnapshot, type ConfigRows } from "../../control-plane/snapshots/compile-snapshot.ts";
import { parseSnapshot, type Snapshot } from "../../shared/snapshot/schema.ts";
import { adapterFor } from "../providers/registry.ts";
import { planRoute } from "./plan-route.ts";
import { residencyRule } from "./residency.ts";

const deployment = (id: string, region: string, model: string, flags: string[], provider: "openai" | "azure" = "openai") => ({
  id, provider, baseUrl: "https://x/v1", model, region, credentialRef: "env:K", jurisdiction: region, flags,
});

// us embeds with text-embedding-3-small first (no baa), and has a baa deployment of another model
// (an Azure deployment named text-embedding-3-large) that its plan leaves out; eu has no baa at all.
const rows: ConfigRows = {
  tenants: [{ id: "ten_any", name: "any", status: "active" }],
  keys: [],
  deployments: [
    deployment("us_small", "us", "text-embedding-3-small", []),
    deployment("us_large_baa", "us", "text-embedding-3-large", ["baa"], "azure"),
    deployment("eu_small", "eu", "text-embedding-3-small", []),
  ],
  aliases: [{ name: "embed", deploymentIds: ["us_small", "us_large_baa", "eu_small"] }],
  prices: [],
  regions: [{ name: "eu", publicUrl: "https://eu.gw" }, { name: "us", publicUrl: "https://us.gw" }],
};

function snapshotOf(region: string): Snapshot {
  const parsed = parseSnapshot(JSON.parse(JSON.stringify(compileSnapshot(rows, region, 1, new Date("2026-01-01T00:00:00Z")))));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

function phiEmbeddings(snapshot: Snapshot) {
  return planRoute(snapshot.aliases.embed!, snapshot, adapterFor, residencyRule(snapshot.tenants.ten_any!, snapshot, "phi"), "embeddings");
}

test("phi embeddings: eu does not send the tenant to us, whose plan (text-embedding-3-small) has no baa deployment", () => {
  const us = phiEmbeddings(snapshotOf("us"));
  // us refuses it: its baa deployment serves another model than its plan's.
  expect(us).toMatchObject({ ok: false, error: { kind: "residency_violation" } });
  const eu = phiEmbeddings(snapshotOf("eu"));
  expect(eu).toMatchObject({ ok: false, error: { kind: "residency_violation" } });
  const message = !eu.ok ? (eu.error as { message: string }).message : "";
  expect(message).not.toContain("region us");
  expect(message).toContain("No region serves this model");
});

test("chat is not held to one model: phi chat on the eu proxy is still sent to us", () => {
  const eu = snapshotOf("eu");
  const plan = planRoute(eu.aliases.embed!, eu, adapterFor, residencyRule(eu.tenants.ten_any!, eu, "phi"));
  expect(!plan.ok && (plan.error as { message: string }).message).toContain("region us (https://us.gw)");
});
