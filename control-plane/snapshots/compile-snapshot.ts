/**
 * Rows → the snapshot one region runs on. Pure: the same rows, region, version and `issuedAt` (which
 * the caller passes) always give the same snapshot.
 */
import {
  SNAPSHOT_SCHEMA_VERSION,
  priceKey,
  type ProviderKind,
  type Snapshot,
  type SnapshotAlias,
  type SnapshotDeployment,
  type DeploymentTimeouts,
  type RegionDirectoryEntry,
  type ServingTraits,
  type SnapshotKey,
  type SnapshotTenant,
} from "../../shared/snapshot/schema.ts";
import type { Price } from "../../shared/money/cost.ts";
import { embeddingModelName, embeddingPlanModel } from "../../shared/snapshot/embedding-model.ts";
import { providerEmbeds } from "../../shared/snapshot/provider-operations.ts";
import type { PriceValue } from "../changes/policy-state.ts";
import { publishedLongContext } from "../pricing/long-context.ts";

/** A tenant's own policy columns; absent fields publish nothing (older rows, unit tests). */
export interface TenantPolicyRow {
  kind?: "organization" | "team" | "project";
  parentId?: string | null;
  rpm?: number | null;
  tpm?: number | null;
  dailyBudgetMicros?: number | null;
  monthlyBudgetMicros?: number | null;
  allowedAliases?: string[] | null;
  allowedJurisdictions?: string[] | null;
  timeZone?: string | null;
  budgetFailOpen?: boolean | null;
  featureLimits?: Record<string, { rpm: number | null; tpm: number | null }> | null;
}

export interface ConfigRows {
  tenants: ({ id: string; name: string; status: "active" | "disabled" } & TenantPolicyRow)[];
  keys: {
    id: string;
    tenantId: string;
    name: string;
    keyHash: string;
    status: "active" | "revoked";
    expiresAt: Date | null;
    allowedAliases: string[] | null;
    /** Regions whose snapshots carry the key; null or absent = all. */
    allowedRegions?: string[] | null;
    rpm?: number | null;
    tpm?: number | null;
    dailyBudgetMicros?: number | null;
    monthlyBudgetMicros?: number | null;
    /** The id its rotations started from; absent or its own id = none published. */
    lineageId?: string;
  }[];
  deployments: {
    id: string;
    provider: ProviderKind;
    baseUrl: string;
    model: string;
    region: string;
    credentialRef: string;
    jurisdiction?: string | null;
    flags?: string[];
    /** Disabled deployments (kill switch, rollback) are left out of every snapshot. */
    status?: "active" | "disabled";
    /** The deployment's own vendor timeouts, only the fields set; absent or null = the proxy's defaults, none published. */
    timeouts?: DeploymentTimeouts | null;
  }[];
  /** Each alias's chain in fallback order, across all regions. */
  aliases: { name: string; deploymentIds: string[] }[];
  /** Micro-USD per 1M tokens; a null or absent optional class is not published, so cost.ts falls back to input or output. */
  prices: PriceValue[];
  /** Every region with its public URL; absent (older callers, unit tests) = no regionDirectory published. */
  regions?: { name: string; publicUrl: string | null }[];
}

/**
 * Compiles the snapshot for `region` at `version`; aliases with no deployment in the region are left
 * out, and so are dead keys (see isDeadKey).
 */
export function compileSnapshot(rows: ConfigRows, region: string, version: number, issuedAt = new Date()): Snapshot {
  const keys: Record<string, SnapshotKey> = {};
  for (const k of rows.keys) {
    if (k.allowedRegions && !k.allowedRegions.includes(region)) continue;
    if (isDeadKey(k, issuedAt)) continue;
    keys[k.keyHash] = {
      id: k.id,
      tenantId: k.tenantId,
      name: k.name,
      status: k.status,
      expiresAt: k.expiresAt ? k.expiresAt.toISOString() : null,
      allowedAliases: k.allowedAliases ? [...k.allowedAliases] : null,
      ...(k.rpm != null || k.tpm != null ? { limits: { rpm: k.rpm ?? null, tpm: k.tpm ?? null } } : {}),
      ...(k.dailyBudgetMicros != null || k.monthlyBudgetMicros != null
        ? { budgets: { dailyMicros: k.dailyBudgetMicros ?? null, monthlyMicros: k.monthlyBudgetMicros ?? null } }
        : {}),
      ...(k.lineageId && k.lineageId !== k.id ? { lineageId: k.lineageId } : {}),
      // Published only when set, so a key on every region keeps the bytes it had before this field.
      ...(k.allowedRegions ? { allowedRegions: [...k.allowedRegions] } : {}),
    };
  }
  const tenants: Record<string, SnapshotTenant> = {};
  const disabled = effectivelyDisabled(rows.tenants);
  for (const t of rows.tenants) tenants[t.id] = compileTenant(t, disabled.has(t.id));
  const deployments: Record<string, SnapshotDeployment> = {};
  for (const d of rows.deployments) {
    if (d.region !== region || d.status === "disabled") continue;
    deployments[d.id] = {
      id: d.id,
      provider: d.provider,
      baseUrl: d.baseUrl,
      model: d.model,
      region: d.region,
      credentialRef: d.credentialRef,
      ...(d.jurisdiction !== undefined ? { jurisdiction: d.jurisdiction } : {}),
      ...(d.flags !== undefined ? { flags: [...d.flags] } : {}),
      ...(d.timeouts && Object.keys(d.timeouts).length > 0 ? { timeouts: { ...d.timeouts } } : {}),
    };
  }
  const aliases: Record<string, SnapshotAlias> = {};
  for (const a of rows.aliases) {
    const chain = a.deploymentIds.filter((id) => id in deployments);
    if (chain.length > 0) aliases[a.name] = { name: a.name, chain };
  }
  const pricing: Record<string, Price> = {};
  for (const p of rows.prices) {
    pricing[priceKey(p.provider, p.model)] = {
      input: p.inputMicros,
      output: p.outputMicros,
      ...(p.cachedInputMicros === null ? {} : { cachedInput: p.cachedInputMicros }),
      ...(p.cacheWriteMicros == null ? {} : { cacheWrite: p.cacheWriteMicros }),
      ...(p.reasoningMicros == null ? {} : { reasoning: p.reasoningMicros }),
      ...(p.longContext == null ? {} : { longContext: publishedLongContext(p.longContext) }),
    };
  }
  const snapshot: Snapshot = { schema: SNAPSHOT_SCHEMA_VERSION, region, version, issuedAt: issuedAt.toISOString(), keys, tenants, aliases, deployments, pricing };
  if (rows.regions) snapshot.regionDirectory = compileRegionDirectory(rows.regions, rows.deployments, rows.aliases);
  return snapshot;
}

/**
 * A revoked key, or one whose expiry (a rotated-away key's end of grace included) is past at `at`: it
 * can never be accepted again, and carrying it would grow every snapshot by one entry per rotation for
 * good. The proxy answers a key it does not find as it answers a revoked or expired one (401
 * invalid_api_key; only its log reason reads not_found), and a revocation still acts with the next
 * snapshot, which lacks the key. An expiry still ahead is published: the proxy checks it per request.
 */
function isDeadKey(k: ConfigRows["keys"][number], at: Date): boolean {
  return k.status === "revoked" || (k.expiresAt !== null && k.expiresAt.getTime() <= at.getTime());
}

/**
 * Every region (this one included) with the jurisdictions its enabled deployments serve, sorted and
 * distinct, its public URL, and per alias served there the distinct jurisdiction and flags of the
 * alias's enabled deployments in it, and whether they can embed. The same in every region's snapshot,
 * so a proxy refusing a tenant for residency can name only the regions where the requested alias meets
 * the whole rule (a region with the right jurisdiction may lack the alias, the flag the data class
 * requires, or, for an embeddings request, a deployment its one-model embeddings plan keeps).
 */
export function compileRegionDirectory(
  regions: NonNullable<ConfigRows["regions"]>,
  deployments: ConfigRows["deployments"],
  aliases: ConfigRows["aliases"],
): Record<string, RegionDirectoryEntry> {
  const enabled = deployments.filter((d) => d.status !== "disabled");
  const byId = new Map(enabled.map((d) => [d.id, d]));
  const directory: Record<string, RegionDirectoryEntry> = {};
  for (const r of regions) {
    const jurisdictions = new Set<string>();
    for (const d of enabled) if (d.region === r.name && d.jurisdiction) jurisdictions.add(d.jurisdiction);
    const served: Record<string, ServingTraits[]> = {};
    for (const a of aliases) {
      const here = a.deploymentIds.flatMap((id) => byId.get(id) ?? []).filter((d) => d.region === r.name);
      if (here.length > 0) served[a.name] = distinctTraits(here, embeddingPlanModel(here, (d) => providerEmbeds(d.provider)));
    }
    directory[r.name] = { jurisdictions: [...jurisdictions].sort(), publicUrl: r.publicUrl, aliases: served };
  }
  return directory;
}

/**
 * Deployments → their distinct (jurisdiction, flags), flags sorted; ordered by jurisdiction (unknown
 * last), then flags. `embeddings` is true when a deployment with those traits is one the region's
 * embeddings plan keeps (it can embed, and serves `embeddingModel`, the plan's one model): a rule is
 * judged on jurisdiction and flags alone, so that says exactly whether the region can embed under it.
 * One that embeds another model is left out of the plan, so it counts for chat only.
 */
function distinctTraits(deployments: readonly { provider: ProviderKind; model: string; jurisdiction?: string | null; flags?: string[] }[], embeddingModel: string | null): ServingTraits[] {
  const byKey = new Map<string, ServingTraits>();
  for (const d of deployments) {
    const traits = { jurisdiction: d.jurisdiction ?? null, flags: [...new Set(d.flags ?? [])].sort() };
    const key = JSON.stringify(traits);
    const embeddings = (byKey.get(key)?.embeddings ?? false) || (providerEmbeds(d.provider) && embeddingModelName(d) === embeddingModel);
    byKey.set(key, { ...traits, embeddings });
  }
  // Code-unit order, like the default sort used for jurisdictions: the same bytes on every machine.
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...byKey.values()].sort(
    (a, b) => (a.jurisdiction === null ? 1 : 0) - (b.jurisdiction === null ? 1 : 0) || cmp(a.jurisdiction ?? "", b.jurisdiction ?? "") || cmp(a.flags.join(","), b.flags.join(",")),
  );
}

/**
 * Ids of tenants that publish `disabled`: the tenant itself or any ancestor is disabled. The proxy
 * checks only a key's own tenant, so a kill switch on an org must reach its teams' and projects' keys
 * through the snapshot. A broken parent chain (cycle, missing parent) stops the walk where it breaks.
 */
export function effectivelyDisabled(tenants: readonly { id: string; status: string; parentId?: string | null }[]): Set<string> {
  const byId = new Map(tenants.map((t) => [t.id, t]));
  const out = new Set<string>();
  for (const t of tenants) {
    const seen = new Set<string>();
    for (let cur: typeof t | undefined = t; cur && !seen.has(cur.id); cur = cur.parentId ? byId.get(cur.parentId) : undefined) {
      seen.add(cur.id);
      if (cur.status === "disabled") {
        out.add(t.id);
        break;
      }
    }
  }
  return out;
}

function compileTenant(t: ConfigRows["tenants"][number], disabled: boolean): SnapshotTenant {
  // The published status folds in the ancestors' (see effectivelyDisabled); the row keeps its own.
  const out: SnapshotTenant = { id: t.id, name: t.name, status: disabled ? "disabled" : t.status };
  if (t.kind !== undefined) out.kind = t.kind;
  if (t.parentId !== undefined) out.parentId = t.parentId;
  if (t.rpm != null || t.tpm != null) out.limits = { rpm: t.rpm ?? null, tpm: t.tpm ?? null };
  if (t.dailyBudgetMicros != null || t.monthlyBudgetMicros != null) {
    out.budgets = { dailyMicros: t.dailyBudgetMicros ?? null, monthlyMicros: t.monthlyBudgetMicros ?? null };
  }
  if (t.timeZone) out.timeZone = t.timeZone;
  if (t.budgetFailOpen !== undefined && t.budgetFailOpen !== null) out.budgetFailOpen = t.budgetFailOpen;
  if (t.featureLimits) out.featureLimits = structuredClone(t.featureLimits);
  if (t.allowedJurisdictions !== undefined) out.allowedJurisdictions = t.allowedJurisdictions ? [...t.allowedJurisdictions] : null;
  if (t.allowedAliases !== undefined) out.allowedAliases = t.allowedAliases ? [...t.allowedAliases] : null;
  return out;
}
