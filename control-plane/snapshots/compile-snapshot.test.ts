import { expect, test } from "bun:test";
import { costMicros, ZERO_USAGE } from "../../shared/money/cost.ts";
import { parseSnapshot, type ProviderKind } from "../../shared/snapshot/schema.ts";
import { compileSnapshot, type ConfigRows } from "./compile-snapshot.ts";

const rows: ConfigRows = {
  tenants: [{ id: "ten_a", name: "acme", status: "active" }],
  keys: [
    { id: "key_1", tenantId: "ten_a", name: "k1", keyHash: "h1", status: "active", expiresAt: new Date("2030-01-01T00:00:00Z"), allowedAliases: ["chat"] },
    { id: "key_2", tenantId: "ten_a", name: "k2", keyHash: "h2", status: "revoked", expiresAt: null, allowedAliases: null },
  ],
  deployments: [
    { id: "dep_eu", provider: "openai", baseUrl: "https://eu.example/v1", model: "m-eu", region: "eu", credentialRef: "env:EU" },
    { id: "dep_us", provider: "openai", baseUrl: "https://us.example/v1", model: "m-us", region: "us", credentialRef: "env:US" },
    { id: "dep_eu2", provider: "openai", baseUrl: "https://eu2.example/v1", model: "m-eu2", region: "eu", credentialRef: "file:/k" },
  ],
  aliases: [
    { name: "chat", deploymentIds: ["dep_us", "dep_eu2", "dep_eu"] },
    { name: "us-only", deploymentIds: ["dep_us"] },
  ],
  prices: [{ provider: "openai", model: "m-eu", inputMicros: 150_000, outputMicros: 600_000, cachedInputMicros: null }],
};

test("keeps the region's deployments, filters chains in order, omits empty aliases", () => {
  const s = compileSnapshot(rows, "eu", 7, new Date("2026-01-01T00:00:00Z"));
  expect(Object.keys(s.deployments).sort()).toEqual(["dep_eu", "dep_eu2"]);
  expect(s.aliases).toEqual({ chat: { name: "chat", chain: ["dep_eu2", "dep_eu"] } });
  expect(s.version).toBe(7);
  expect(s.region).toBe("eu");
  expect(s.issuedAt).toBe("2026-01-01T00:00:00.000Z");
  expect(parseSnapshot(JSON.parse(JSON.stringify(s))).ok).toBe(true);
});

test("keys are indexed by hash, with ISO expiry", () => {
  const s = compileSnapshot(rows, "us", 1);
  expect(s.keys.h1).toEqual({ id: "key_1", tenantId: "ten_a", name: "k1", status: "active", expiresAt: "2030-01-01T00:00:00.000Z", allowedAliases: ["chat"] });
  expect(s.tenants.ten_a?.name).toBe("acme");
  expect(s.aliases).toEqual({ chat: { name: "chat", chain: ["dep_us"] }, "us-only": { name: "us-only", chain: ["dep_us"] } });
});

// Revoked keys used to be published too: dead keys are left out now (a key the proxy does not find gets
// the same 401 as a revoked or expired one), so snapshots no longer grow by one entry per rotation.
test("revoked keys and keys expired at compile time are left out; an expiry still ahead, or none, is published", () => {
  const at = new Date("2026-06-01T00:00:00Z");
  const key = (id: string, status: "active" | "revoked", expiresAt: Date | null) => ({ id, tenantId: "ten_a", name: id, keyHash: `h_${id}`, status, expiresAt, allowedAliases: null });
  const keys = [
    key("revoked", "revoked", null),
    key("revoked_later", "revoked", new Date("2030-01-01T00:00:00Z")),
    key("expired", "active", new Date("2026-05-31T23:59:59Z")),
    key("expiring_now", "active", at),
    key("expiring_later", "active", new Date("2026-06-01T00:00:01Z")),
    key("never", "active", null),
  ];
  const s = compileSnapshot({ ...rows, keys }, "eu", 1, at);
  expect(Object.values(s.keys).map((k) => k.id).sort()).toEqual(["expiring_later", "never"]);
});

test("pricing is keyed by provider:model in micro-USD, without absent optional classes", () => {
  const s = compileSnapshot(rows, "eu", 1);
  expect(s.pricing).toEqual({ "openai:m-eu": { input: 150_000, output: 600_000 } });
});

test("a cache-write and a reasoning price are published in micro-USD and charged at their own rate; absent, cost.ts falls back", () => {
  const claude = { provider: "anthropic", model: "claude-sonnet-4", inputMicros: 3_000_000, outputMicros: 15_000_000, cachedInputMicros: 300_000 };
  const s = compileSnapshot({ ...rows, prices: [{ ...claude, cacheWriteMicros: 3_750_000, reasoningMicros: 20_000_000 }, { ...claude, model: "plain", cacheWriteMicros: null, reasoningMicros: null }] }, "eu", 1);
  const priced = s.pricing["anthropic:claude-sonnet-4"]!;
  expect(priced).toEqual({ input: 3_000_000, output: 15_000_000, cachedInput: 300_000, cacheWrite: 3_750_000, reasoning: 20_000_000 });
  expect(parseSnapshot(JSON.parse(JSON.stringify(s))).ok).toBe(true);
  // 10,000 Anthropic cache_creation tokens: 37,500 µ$ at $3.75/M, not 30,000 at the $3/M input price.
  const written = { ...ZERO_USAGE, inputTokens: 10_000, cacheWriteTokens: 10_000 };
  expect(costMicros(written, priced)).toBe(37_500);
  expect(costMicros({ ...ZERO_USAGE, outputTokens: 10_000, reasoningTokens: 10_000 }, priced)).toBe(200_000);
  const plain = s.pricing["anthropic:plain"]!;
  expect(plain).toEqual({ input: 3_000_000, output: 15_000_000, cachedInput: 300_000 });
  expect(costMicros(written, plain)).toBe(30_000);
});

test("a region with no deployments gets no aliases", () => {
  const s = compileSnapshot(rows, "ap", 1);
  expect(s.deployments).toEqual({});
  expect(s.aliases).toEqual({});
});

test("a disabled ancestor disables every descendant in the snapshot; siblings and the parent chain above stay", () => {
  const tree: ConfigRows = {
    ...rows,
    tenants: [
      { id: "ten_org", name: "org", status: "active", parentId: null },
      { id: "ten_team", name: "team", status: "disabled", parentId: "ten_org" },
      { id: "ten_proj", name: "proj", status: "active", parentId: "ten_team" },
      { id: "ten_other", name: "other", status: "active", parentId: "ten_org" },
    ],
  };
  const s = compileSnapshot(tree, "eu", 1);
  expect(s.tenants.ten_org?.status).toBe("active");
  expect(s.tenants.ten_team?.status).toBe("disabled");
  expect(s.tenants.ten_proj?.status).toBe("disabled");
  expect(s.tenants.ten_other?.status).toBe("active");
  const cyclic = compileSnapshot({ ...rows, tenants: [{ id: "a", name: "a", status: "active", parentId: "b" }, { id: "b", name: "b", status: "active", parentId: "a" }] }, "eu", 1);
  expect(cyclic.tenants.a?.status).toBe("active");
});

test("regionDirectory lists every region with the distinct jurisdictions of its enabled deployments and its public URL", () => {
  const withRegions: ConfigRows = {
    ...rows,
    deployments: [
      { id: "dep_eu", provider: "openai", baseUrl: "https://eu.example/v1", model: "m-eu", region: "eu", credentialRef: "env:EU", jurisdiction: "eu", status: "active" },
      { id: "dep_eu_ch", provider: "openai", baseUrl: "https://ch.example/v1", model: "m-ch", region: "eu", credentialRef: "env:EU", jurisdiction: "ch" },
      { id: "dep_eu_dup", provider: "openai", baseUrl: "https://eu2.example/v1", model: "m-eu2", region: "eu", credentialRef: "env:EU", jurisdiction: "eu" },
      { id: "dep_eu_none", provider: "openai", baseUrl: "https://eu3.example/v1", model: "m-eu3", region: "eu", credentialRef: "env:EU", jurisdiction: null },
      { id: "dep_us", provider: "openai", baseUrl: "https://us.example/v1", model: "m-us", region: "us", credentialRef: "env:US", jurisdiction: "us" },
      { id: "dep_us_off", provider: "openai", baseUrl: "https://us2.example/v1", model: "m-us2", region: "us", credentialRef: "env:US", jurisdiction: "ca", status: "disabled" },
    ],
    regions: [
      { name: "ap", publicUrl: null },
      { name: "eu", publicUrl: "https://eu.gw.example" },
      { name: "us", publicUrl: "http://127.0.0.1:4001" },
    ],
  };
  const expected = {
    ap: { jurisdictions: [], publicUrl: null, aliases: {} },
    eu: { jurisdictions: ["ch", "eu"], publicUrl: "https://eu.gw.example", aliases: { chat: [{ jurisdiction: "eu", flags: [], embeddings: true }] } },
    us: { jurisdictions: ["us"], publicUrl: "http://127.0.0.1:4001", aliases: { chat: [{ jurisdiction: "us", flags: [], embeddings: true }], "us-only": [{ jurisdiction: "us", flags: [], embeddings: true }] } },
  };
  // The same directory in every region's snapshot, a region without deployments included.
  for (const region of ["eu", "us", "ap"]) expect(compileSnapshot(withRegions, region, 3).regionDirectory).toEqual(expected);
  expect(parseSnapshot(JSON.parse(JSON.stringify(compileSnapshot(withRegions, "us", 3)))).ok).toBe(true);
  // Rows without regions (older callers) publish no directory at all.
  expect(compileSnapshot(rows, "eu", 1).regionDirectory).toBeUndefined();
});

test("each directory entry lists, per alias served there, the distinct jurisdiction and flags of its enabled deployments", () => {
  const dep = (id: string, region: string, jurisdiction: string | null | undefined, flags?: string[], status?: "active" | "disabled") => ({
    // One model for all: traits are per deployment, and an embeddings plan keeps one model (residency-advice-embedding-model.test.ts).
    id, provider: "openai" as const, baseUrl: `https://${id}.example/v1`, model: "gpt-4o", region, credentialRef: "env:K",
    ...(jurisdiction !== undefined ? { jurisdiction } : {}), ...(flags ? { flags } : {}), ...(status ? { status } : {}),
  });
  const served: ConfigRows = {
    ...rows,
    deployments: [
      dep("eu_plain", "eu", "eu", []),
      dep("eu_plain_2", "eu", "eu"),
      dep("eu_baa", "eu", "eu", ["soc2", "baa"]),
      dep("eu_baa_2", "eu", "eu", ["baa", "soc2", "baa"]),
      dep("eu_unknown", "eu", null, ["baa"]),
      dep("eu_off", "eu", "ch", ["baa"], "disabled"),
      dep("us_plain", "us", "us", []),
    ],
    aliases: [
      // One chain across regions: each region lists only its own deployments of it.
      { name: "gpt", deploymentIds: ["us_plain", "eu_baa", "eu_plain", "eu_baa_2", "eu_plain_2", "eu_unknown", "eu_off"] },
      { name: "health", deploymentIds: ["eu_off"] },
      { name: "us-chat", deploymentIds: ["us_plain"] },
    ],
    regions: [
      { name: "ap", publicUrl: null },
      { name: "eu", publicUrl: "https://eu.gw" },
      { name: "us", publicUrl: null },
    ],
  };
  const directory = compileSnapshot(served, "us", 1).regionDirectory!;
  expect(directory.eu!.aliases).toEqual({
    gpt: [
      { jurisdiction: "eu", flags: [], embeddings: true },
      { jurisdiction: "eu", flags: ["baa", "soc2"], embeddings: true },
      { jurisdiction: null, flags: ["baa"], embeddings: true },
    ],
  });
  expect(directory.us!.aliases).toEqual({ gpt: [{ jurisdiction: "us", flags: [], embeddings: true }], "us-chat": [{ jurisdiction: "us", flags: [], embeddings: true }] });
  expect(directory.ap!.aliases).toEqual({});
  expect(compileSnapshot(served, "eu", 1).regionDirectory).toEqual(directory);
  expect(parseSnapshot(JSON.parse(JSON.stringify(compileSnapshot(served, "eu", 1)))).ok).toBe(true);
});

test("per alias and traits, `embeddings` says whether any of those deployments' providers can embed (Anthropic cannot)", () => {
  // One model for all (the providers differ): an embeddings plan keeps one model, the first embedder's.
  const dep = (id: string, provider: ProviderKind, jurisdiction: string, flags: string[] = []) => ({ id, provider, baseUrl: `https://${id}.example`, model: "m", region: "eu", credentialRef: "env:K", jurisdiction, flags });
  const served: ConfigRows = {
    ...rows,
    deployments: [dep("claude", "anthropic", "eu"), dep("claude_baa", "anthropic", "eu", ["baa"]), dep("azure_baa", "azure", "eu", ["baa"]), dep("gemini_ch", "gemini", "ch"), dep("claude_ch", "anthropic", "ch")],
    aliases: [
      { name: "assistant", deploymentIds: ["claude", "claude_baa", "azure_baa", "claude_ch", "gemini_ch"] },
      { name: "claude-only", deploymentIds: ["claude"] },
    ],
    regions: [{ name: "eu", publicUrl: null }],
  };
  expect(compileSnapshot(served, "eu", 1).regionDirectory!.eu!.aliases).toEqual({
    assistant: [
      { jurisdiction: "ch", flags: [], embeddings: true },
      { jurisdiction: "eu", flags: [], embeddings: false },
      { jurisdiction: "eu", flags: ["baa"], embeddings: true },
    ],
    "claude-only": [{ jurisdiction: "eu", flags: [], embeddings: false }],
  });
  expect(parseSnapshot(JSON.parse(JSON.stringify(compileSnapshot(served, "eu", 1)))).ok).toBe(true);
});
