/**
 * The residency_violation advice names only regions whose snapshots carry the request's key (review rk
 * K3): a key scoped to `["us"]` of an eu-only tenant was told by the us proxy to go to eu, whose
 * snapshot lacks the key, so every request there answered 401. When no region that could serve the
 * tenant carries the key, the message says so instead of naming one.
 */
import { expect, test } from "bun:test";
import { hashSecret } from "../../shared/ids.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import { compileSnapshot, type ConfigRows } from "../../control-plane/snapshots/compile-snapshot.ts";
import { adapterFor } from "../providers/registry.ts";
import { planRoute } from "./plan-route.ts";
import { residencyMessage, residencyRule } from "./residency.ts";

const key = (secret: string, allowedRegions: string[] | null): ConfigRows["keys"][number] => ({
  id: `key_${secret}`,
  tenantId: "ten_eu",
  name: "k",
  keyHash: hashSecret(secret),
  status: "active",
  expiresAt: null,
  allowedAliases: null,
  allowedRegions,
});

const rows: ConfigRows = {
  tenants: [{ id: "ten_eu", name: "EU only", status: "active", allowedJurisdictions: ["eu"] }],
  keys: [key("us-only", ["us"]), key("us-and-eu", ["us", "eu"]), key("everywhere", null)],
  deployments: [
    { id: "dep_us", provider: "openai", baseUrl: "https://api.openai.com/v1", model: "gpt-4o", region: "us", credentialRef: "env:K", jurisdiction: "us" },
    { id: "dep_eu", provider: "azure", baseUrl: "https://x.openai.azure.com/openai/deployments/gpt-4o", model: "gpt-4o", region: "eu", credentialRef: "env:K", jurisdiction: "eu" },
  ],
  aliases: [{ name: "chat", deploymentIds: ["dep_us", "dep_eu"] }],
  prices: [],
  regions: [
    { name: "eu", publicUrl: "https://eu.gw.example" },
    { name: "us", publicUrl: "https://us.gw.example" },
  ],
};

/** The us proxy's refusal for `secret`'s request, as the chat route plans it. */
function usRefusal(secret: string, us: Snapshot = compileSnapshot(rows, "us", 1)): string {
  const k = us.keys[hashSecret(secret)]!;
  const plan = planRoute(us.aliases.chat!, us, adapterFor, residencyRule(us.tenants[k.tenantId]!, us, null, k));
  if (plan.ok || plan.error.kind !== "residency_violation") throw new Error(`expected residency_violation, got ${JSON.stringify(plan)}`);
  return plan.error.message;
}

test("the us proxy does not send a us-only key to eu, where the key does not exist", () => {
  const us = compileSnapshot(rows, "us", 1);
  const eu = compileSnapshot(rows, "eu", 1);
  const k = us.keys[hashSecret("us-only")]!;
  expect(eu.keys[hashSecret("us-only")]).toBeUndefined(); // the eu proxy answers this key 401
  const message = residencyMessage(residencyRule(us.tenants[k.tenantId]!, us, null, k), us, "chat");
  expect(message).not.toContain("https://eu.gw.example");
  expect(message).toEndWith("This API key is not valid in any region that could serve this tenant (eu); use a key valid there or ask your gateway administrator.");
  expect(usRefusal("us-only")).toBe(message);
});

test("a key published in eu too, or everywhere, is sent to eu", () => {
  for (const secret of ["us-and-eu", "everywhere"]) expect(usRefusal(secret)).toEndWith("Send this tenant's requests to region eu (https://eu.gw.example).");
});

test("a key from an older control plane's snapshot (no allowedRegions) is read as valid everywhere", () => {
  const us = compileSnapshot(rows, "us", 1);
  delete us.keys[hashSecret("us-and-eu")]!.allowedRegions;
  expect(usRefusal("us-and-eu", us)).toEndWith("Send this tenant's requests to region eu (https://eu.gw.example).");
});
