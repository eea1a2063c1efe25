/**
 * The residency_violation message names only regions that can serve the request: the requested alias
 * has a deployment there meeting the whole rule (jurisdictions and the data class's flags) and, for
 * an embeddings request, able to embed, as the snapshot's regionDirectory says per alias. A directory entry from an older control plane (no
 * per-alias list) falls back to the jurisdiction-only rule.
 */
import { expect, test } from "bun:test";
import { parseSnapshot, type RegionDirectoryEntry, type Snapshot, type SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { compileRegionDirectory, type ConfigRows } from "../../control-plane/snapshots/compile-snapshot.ts";
import { adapterFor } from "../providers/registry.ts";
import { planRoute } from "./plan-route.ts";
import { residencyRule } from "./residency.ts";

const NO_REGION = "No region serves this model for this tenant's residency rules; ask your gateway administrator.";

const usPlain: SnapshotDeployment = { id: "dep_us", provider: "openai", baseUrl: "http://x/v1", model: "m", region: "us", credentialRef: "env:K", jurisdiction: "us", flags: [] };

/** The US proxy's snapshot: alias `gpt` has one US deployment without `baa`. */
function usSnapshot(regionDirectory: Record<string, RegionDirectoryEntry> | undefined): Snapshot {
  const snapshot: Snapshot = {
    schema: 1,
    region: "us",
    version: 1,
    issuedAt: "2026-01-01T00:00:00Z",
    keys: {},
    tenants: {
      ten_euus: { id: "ten_euus", name: "eu+us", status: "active", allowedJurisdictions: ["eu", "us"] },
      ten_eu: { id: "ten_eu", name: "eu", status: "active", allowedJurisdictions: ["eu"] },
      ten_any: { id: "ten_any", name: "any", status: "active" },
    },
    deployments: { dep_us: usPlain },
    aliases: { gpt: { name: "gpt", chain: ["dep_us"] } },
    pricing: {},
    ...(regionDirectory ? { regionDirectory } : {}),
  };
  // Every snapshot here is one a proxy would accept.
  const parsed = parseSnapshot(JSON.parse(JSON.stringify(snapshot)));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

function refusal(snapshot: Snapshot, tenantId: string, dataClass: string | null): string {
  const plan = planRoute(snapshot.aliases.gpt!, snapshot, adapterFor, residencyRule(snapshot.tenants[tenantId]!, snapshot, dataClass));
  if (plan.ok || plan.error.kind !== "residency_violation") throw new Error(`expected residency_violation, got ${JSON.stringify(plan)}`);
  return plan.error.message;
}

const us: RegionDirectoryEntry = { jurisdictions: ["us"], publicUrl: "https://us.gw", aliases: { gpt: [{ jurisdiction: "us", flags: [] }] } };

test("phi on the US proxy, and EU has neither the alias nor a baa deployment → no region is named, plainly", () => {
  const snapshot = usSnapshot({ us, eu: { jurisdictions: ["eu"], publicUrl: "https://eu.gw", aliases: { other: [{ jurisdiction: "eu", flags: [] }] } } });
  const message = refusal(snapshot, "ten_euus", "phi");
  expect(message).toContain("requires a deployment flagged baa");
  expect(message).not.toContain("eu.gw");
  expect(message).not.toContain("Send this tenant");
  expect(message).toEndWith(NO_REGION);
});

test("only the region whose deployment of this alias meets the whole rule is named", () => {
  const snapshot = usSnapshot({
    us,
    // Right jurisdiction for the alias, but no baa.
    eu: { jurisdictions: ["eu"], publicUrl: "https://eu.gw", aliases: { gpt: [{ jurisdiction: "eu", flags: [] }] } },
    // baa in an allowed jurisdiction, but not for this alias.
    "us-2": { jurisdictions: ["us"], publicUrl: "https://us2.gw", aliases: { other: [{ jurisdiction: "us", flags: ["baa"] }] } },
    // baa, but in a jurisdiction the tenant does not allow.
    ap: { jurisdictions: ["ap"], publicUrl: null, aliases: { gpt: [{ jurisdiction: "ap", flags: ["baa"] }] } },
    // The alias in an allowed jurisdiction with baa: the one to name.
    "eu-2": { jurisdictions: ["eu"], publicUrl: "https://eu2.gw", aliases: { gpt: [{ jurisdiction: "eu", flags: [] }, { jurisdiction: "eu", flags: ["baa", "soc2"] }] } },
  });
  const message = refusal(snapshot, "ten_euus", "phi");
  expect(message).toEndWith("Send this tenant's requests to region eu-2 (https://eu2.gw).");
  for (const wrong of ["eu.gw", "us2.gw", "region ap", "No region"]) expect(message).not.toContain(wrong);
});

test("a tenant without a jurisdiction rule is sent to a region with a baa deployment of this alias", () => {
  const snapshot = usSnapshot({ us, eu: { jurisdictions: [], publicUrl: "https://eu.gw", aliases: { gpt: [{ jurisdiction: null, flags: ["baa"] }] } } });
  expect(refusal(snapshot, "ten_any", "phi")).toEndWith("Send this tenant's requests to region eu (https://eu.gw).");
});

test("an EU tenant on the US proxy is sent to eu and its URL", () => {
  const snapshot = usSnapshot({ us, eu: { jurisdictions: ["eu"], publicUrl: "https://eu.gw", aliases: { gpt: [{ jurisdiction: "eu", flags: [] }] } } });
  expect(refusal(snapshot, "ten_eu", null)).toEndWith("Send this tenant's requests to region eu (https://eu.gw).");
});

test("a directory without per-alias lists (older control plane) falls back to the jurisdiction-only rule", () => {
  const snapshot = usSnapshot({ us: { jurisdictions: ["us"], publicUrl: "https://us.gw" }, eu: { jurisdictions: ["eu"], publicUrl: "https://eu.gw" } });
  expect(refusal(snapshot, "ten_eu", null)).toEndWith("Send this tenant's requests to region eu (https://eu.gw).");
  // It cannot tell flags apart, so it names eu as before.
  expect(refusal(snapshot, "ten_euus", "phi")).toEndWith("Send this tenant's requests to region eu (https://eu.gw).");
  // Without a jurisdiction rule it cannot judge any region: it names none and claims nothing.
  const unjudged = refusal(snapshot, "ten_any", "phi");
  expect(unjudged).not.toContain("Send this tenant");
  expect(unjudged).not.toContain("No region");
});

test("no directory at all: the message says what is required and nothing about other regions", () => {
  const message = refusal(usSnapshot(undefined), "ten_eu", null);
  expect(message).toBe("No deployment of this model in region us satisfies this tenant's residency rules (data must stay in eu).");
});

test("an alias named like an Object property ('constructor') that no other region publishes is refused with the message, not a crash", () => {
  const snapshot = usSnapshot({ us, eu: { jurisdictions: ["eu"], publicUrl: "https://eu.gw", aliases: { gpt: [{ jurisdiction: "eu", flags: [] }] } } });
  const constructorAlias = { ...snapshot.aliases.gpt!, name: "constructor" };
  const plan = planRoute(constructorAlias, snapshot, adapterFor, residencyRule(snapshot.tenants.ten_eu!, snapshot, null));
  if (plan.ok || plan.error.kind !== "residency_violation") throw new Error(`expected residency_violation, got ${JSON.stringify(plan)}`);
  expect(plan.error.message).toEndWith(NO_REGION);
});

/** Alias `assistant` = [eu OpenAI (embeds), us Anthropic (cannot)], compiled as the control plane does, seen from the EU proxy. */
function assistantOnEu(extra: ConfigRows["deployments"] = []): Snapshot {
  const deployments: ConfigRows["deployments"] = [
    { id: "eu_openai", provider: "openai", baseUrl: "https://api.openai.com/v1", model: "text-embedding-3-small", region: "eu", credentialRef: "env:K", jurisdiction: "eu" },
    { id: "us_claude", provider: "anthropic", baseUrl: "https://api.anthropic.com", model: "claude-sonnet-4-5", region: "us", credentialRef: "env:K", jurisdiction: "us" },
    ...extra,
  ];
  const aliases = [{ name: "assistant", deploymentIds: deployments.map((d) => d.id) }];
  const regionDirectory = compileRegionDirectory([{ name: "eu", publicUrl: "https://eu.gw.example" }, { name: "us", publicUrl: "https://us.gw.example" }], deployments, aliases);
  const parsed = parseSnapshot(JSON.parse(JSON.stringify({
    schema: 1, region: "eu", version: 1, issuedAt: "2026-01-01T00:00:00Z", keys: {},
    tenants: { t_us: { id: "t_us", name: "US only", status: "active", allowedJurisdictions: ["us"] } },
    aliases: { assistant: { name: "assistant", chain: ["eu_openai"] } },
    deployments: { eu_openai: { ...deployments[0]! } },
    pricing: {},
    regionDirectory,
  })));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

function usTenantRefusal(snapshot: Snapshot, operation: "chat" | "embeddings"): string {
  const plan = planRoute(snapshot.aliases.assistant!, snapshot, adapterFor, residencyRule(snapshot.tenants.t_us!, snapshot, null), operation);
  if (plan.ok || plan.error.kind !== "residency_violation") throw new Error(`expected residency_violation, got ${JSON.stringify(plan)}`);
  return plan.error.message;
}

test("the residency_violation of an embeddings request does not send the tenant to a region that cannot embed", () => {
  const snapshot = assistantOnEu();
  const message = usTenantRefusal(snapshot, "embeddings");
  expect(message).not.toContain("Send this tenant's requests to region us");
  expect(message).toEndWith(NO_REGION);
  // A chat request can be answered there (Anthropic chats): it is still sent to us.
  expect(usTenantRefusal(snapshot, "chat")).toEndWith("Send this tenant's requests to region us (https://us.gw.example).");
});

test("an embeddings request is sent to a region where a deployment of the alias meeting the rule can embed", () => {
  const usGemini = { id: "us_gemini", provider: "gemini" as const, baseUrl: "https://generativelanguage.googleapis.com", model: "gemini-embedding-001", region: "us", credentialRef: "env:K", jurisdiction: "us" };
  expect(usTenantRefusal(assistantOnEu([usGemini]), "embeddings")).toEndWith("Send this tenant's requests to region us (https://us.gw.example).");
  // One that can embed but outside the tenant's jurisdictions does not count.
  expect(usTenantRefusal(assistantOnEu([{ ...usGemini, jurisdiction: "ca" }]), "embeddings")).toEndWith(NO_REGION);
});

test("per-alias traits without `embeddings` (a control plane older than it): an embeddings request names no region and claims nothing", () => {
  const snapshot = usSnapshot({ us, eu: { jurisdictions: ["eu"], publicUrl: "https://eu.gw", aliases: { gpt: [{ jurisdiction: "eu", flags: [] }] } } });
  const plan = planRoute(snapshot.aliases.gpt!, snapshot, adapterFor, residencyRule(snapshot.tenants.ten_eu!, snapshot, null), "embeddings");
  if (plan.ok || plan.error.kind !== "residency_violation") throw new Error(`expected residency_violation, got ${JSON.stringify(plan)}`);
  expect(plan.error.message).not.toContain("Send this tenant");
  expect(plan.error.message).not.toContain("No region");
  // A chat request is judged as before.
  expect(refusal(snapshot, "ten_eu", null)).toEndWith("Send this tenant's requests to region eu (https://eu.gw).");
});
