/**
 * The signed configuration a region proxy runs on. The control plane compiles one per region after
 * every configuration change; a proxy answers every request from it, without calling home.
 *
 * It never holds a vendor credential: deployments name a `credentialRef` the proxy resolves locally
 * (`env:NAME` or `file:/path`).
 */
import type { Price } from "../money/cost.ts";
import { isTimeZone } from "./time-zone.ts";
import { isRecord } from "../is-record.ts";

export const SNAPSHOT_SCHEMA_VERSION = 1;

export type KeyStatus = "active" | "revoked";
export type ProviderKind = "openai" | "azure" | "anthropic" | "gemini";

export interface SnapshotKey {
  id: string;
  tenantId: string;
  name: string;
  status: KeyStatus;
  /** ISO time after which the key stops working, or null for no expiry. */
  expiresAt: string | null;
  /** Aliases this key may call; null means every alias its tenant may call. */
  allowedAliases: string[] | null;
  /** Per-key RPM/TPM; absent or null = no key-level rate limit. */
  limits?: RateLimits | null;
  /** Per-key daily/monthly spend caps (periods in the key's org time zone); absent or null = none. */
  budgets?: BudgetCaps | null;
  /**
   * The id of the key this one's rotations started from, when not its own: a rotated key is the same key
   * with a new secret, so its rate limits and budgets are counted under `key:<lineageId>` with the
   * secret it replaced (still in its grace period) and every one before. Absent = the key's own id.
   */
  lineageId?: string;
  /**
   * Regions whose snapshots carry this key; null or absent (every snapshot from a control plane older
   * than this field) = every region. The key is in this snapshot, so this region is always one of them;
   * a proxy reads the others only to advise where a residency refusal may be sent (residency.ts).
   */
  allowedRegions?: string[] | null;
}

/** Requests and tokens per minute; a null or absent field means "no limit of that kind". */
export interface RateLimits {
  rpm?: number | null;
  tpm?: number | null;
}

/** Hard spend caps in integer micro-USD per calendar day and month; null or absent = no cap. */
export interface BudgetCaps {
  dailyMicros?: number | null;
  monthlyMicros?: number | null;
}

export interface SnapshotTenant {
  id: string;
  name: string;
  /** `disabled` when this tenant or any ancestor is disabled (the control plane folds the tree in). */
  status: "active" | "disabled";
  /** The parent in the tenant tree (org → team → project); null or absent for an org (a root). */
  parentId?: string | null;
  /** RPM/TPM for everything under this tenant; the proxy checks every ancestor's too. */
  limits?: RateLimits | null;
  /** Spend caps for everything under this tenant; periods follow the org's (root's) time zone. */
  budgets?: BudgetCaps | null;
  /** IANA time zone for calendar budget periods (default "UTC"); only the org's (root's) is used. */
  timeZone?: string;
  /** When the shared counters are unreachable: admit (true) or refuse (false, default) budgeted requests. */
  budgetFailOpen?: boolean;
  /** Rate limits per `X-Feature-Id` under this tenant; the nearest ancestor defining a feature wins. */
  featureLimits?: Record<string, RateLimits>;
  /** organization | team | project; informative, the tree is `parentId`. */
  kind?: "organization" | "team" | "project";
  /**
   * Residency: jurisdictions (e.g. ["eu"]) this tenant's data may be processed in; null or absent =
   * any. The tenant's own list; a proxy applies every ancestor's too (the control plane only lets a
   * child narrow its parent's list).
   */
  allowedJurisdictions?: string[] | null;
  /** Aliases this tenant may call; null or absent = every alias. Ancestors' lists apply too. */
  allowedAliases?: string[] | null;
}

export interface SnapshotDeployment {
  id: string;
  provider: ProviderKind;
  baseUrl: string;
  /** The vendor's model id, e.g. `gpt-4o-mini`. */
  model: string;
  region: string;
  /** `env:NAME` or `file:/path`: where the proxy finds the vendor credential. Never the credential. */
  credentialRef: string;
  /** Where the vendor processes the data (e.g. "eu", "us"); null or absent = unknown, fits no residency rule. */
  jurisdiction?: string | null;
  /** What the deployment is certified for, e.g. ["baa"] for health data; absent = none. */
  flags?: string[];
  /** Vendor timeouts for this deployment; absent fields use the proxy's defaults. */
  timeouts?: DeploymentTimeouts;
}

/** Per-deployment vendor timeouts in milliseconds (positive integers). */
export interface DeploymentTimeouts {
  /**
   * Added to a stream's first-byte wait, for the connection (Bun's fetch has no connect event). A
   * non-streamed call, whose headers come only once its answer is whole, is bounded by `totalMs` alone.
   */
  connectMs?: number;
  /** Until a stream's first event (its headers included). Streams only, as `connectMs`. */
  firstByteMs?: number;
  /**
   * For one attempt on this deployment, body or stream included; the request may take the sum of its
   * planned deployments' totals, so a deployment that hangs for all of its own leaves the next its own.
   */
  totalMs?: number;
}

/** Where a tenant whose residency this region cannot serve should go instead. */
export interface RegionDirectoryEntry {
  /** Distinct jurisdictions of the region's enabled deployments. */
  jurisdictions: string[];
  /** The region's public endpoint, when known. */
  publicUrl: string | null;
  /**
   * Per alias served in the region, the distinct jurisdiction and flags of its enabled deployments:
   * enough to tell whether the region can serve a request under a residency rule. Absent in snapshots
   * from control planes older than this field; a proxy then judges by `jurisdictions` alone.
   */
  aliases?: Record<string, ServingTraits[]>;
}

/** What one or more deployments of an alias offer a residency rule (see region-proxy/pipeline/residency.ts). */
export interface ServingTraits {
  /** null = unknown, which fits no jurisdiction restriction. */
  jurisdiction: string | null;
  /** Sorted, distinct. */
  flags: string[];
  /**
   * Whether one of these deployments can answer embeddings (shared/snapshot/provider-operations.ts)
   * in the region's embeddings plan, which keeps the model of the alias's first deployment there that
   * embeds (shared/snapshot/embedding-model.ts). Absent in snapshots from control planes older than
   * this field: unknown.
   */
  embeddings?: boolean;
}

export interface SnapshotAlias {
  name: string;
  /** Deployment ids in fallback order; only deployments of this region appear. */
  chain: string[];
}

export interface Snapshot {
  schema: typeof SNAPSHOT_SCHEMA_VERSION;
  region: string;
  /** The configuration version; strictly increasing, shared by every region's snapshot. */
  version: number;
  issuedAt: string;
  /** Keyed by the SHA-256 hex of the gateway key. */
  keys: Record<string, SnapshotKey>;
  tenants: Record<string, SnapshotTenant>;
  aliases: Record<string, SnapshotAlias>;
  deployments: Record<string, SnapshotDeployment>;
  /** Keyed by `${provider}:${model}`; micro-USD per 1M tokens; `longContext` only for a price with a tier (absent in older snapshots). */
  pricing: Record<string, Price>;
  /** Every region by name, with what it serves: the regions named in residency_violation answers. */
  regionDirectory?: Record<string, RegionDirectoryEntry>;
}

export function priceKey(provider: string, model: string): string {
  return `${provider}:${model}`;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };


/** Checks the shape of a verified payload before a proxy swaps it in. */
export function parseSnapshot(payload: unknown): ParseResult<Snapshot> {
  if (!isRecord(payload)) return { ok: false, reason: "payload is not an object" };
  if (payload.schema !== SNAPSHOT_SCHEMA_VERSION) return { ok: false, reason: `unsupported schema ${String(payload.schema)}` };
  if (typeof payload.region !== "string" || payload.region === "") return { ok: false, reason: "region missing" };
  if (!Number.isSafeInteger(payload.version) || (payload.version as number) < 1) return { ok: false, reason: "version invalid" };
  if (typeof payload.issuedAt !== "string") return { ok: false, reason: "issuedAt missing" };
  for (const field of ["keys", "tenants", "aliases", "deployments", "pricing"] as const) {
    if (!isRecord(payload[field])) return { ok: false, reason: `${field} is not an object` };
  }
  const deployments = payload.deployments as Record<string, unknown>;
  for (const [id, dep] of Object.entries(deployments)) {
    if (!isRecord(dep) || typeof dep.baseUrl !== "string" || typeof dep.model !== "string" || typeof dep.credentialRef !== "string") {
      return { ok: false, reason: `deployment ${id} is malformed` };
    }
    // Residency reads these with includes(), which a string answers too, as a substring test
    // ("no-baa".includes("baa")): a field of another type would be read as something it does not say.
    if (!(dep.jurisdiction === undefined || dep.jurisdiction === null || typeof dep.jurisdiction === "string")) return { ok: false, reason: `deployment ${id}: jurisdiction must be a string or null` };
    if (!(dep.flags === undefined || isStringArray(dep.flags))) return { ok: false, reason: `deployment ${id}: flags must be a list of strings` };
    const badTimeouts = checkTimeouts(dep.timeouts);
    if (badTimeouts) return { ok: false, reason: `deployment ${id}: ${badTimeouts}` };
  }
  for (const [name, alias] of Object.entries(payload.aliases as Record<string, unknown>)) {
    if (!isRecord(alias) || !Array.isArray(alias.chain)) return { ok: false, reason: `alias ${name} is malformed` };
    for (const depId of alias.chain) {
      if (typeof depId !== "string" || !(depId in deployments)) return { ok: false, reason: `alias ${name} names unknown deployment ${String(depId)}` };
    }
  }
  for (const [hash, key] of Object.entries(payload.keys as Record<string, unknown>)) {
    if (!isRecord(key) || typeof key.id !== "string" || typeof key.tenantId !== "string") return { ok: false, reason: `key ${hash.slice(0, 8)} is malformed` };
    const bad = checkLimitFields(key);
    if (bad) return { ok: false, reason: `key ${hash.slice(0, 8)}: ${bad}` };
    if (key.lineageId !== undefined && (typeof key.lineageId !== "string" || key.lineageId === "")) return { ok: false, reason: `key ${hash.slice(0, 8)}: lineageId must be a key id` };
    if (!(key.allowedAliases === null || isStringArray(key.allowedAliases))) return { ok: false, reason: `key ${hash.slice(0, 8)}: allowedAliases must be a list of alias names or null` };
    if (!(key.allowedRegions === undefined || key.allowedRegions === null || isStringArray(key.allowedRegions))) return { ok: false, reason: `key ${hash.slice(0, 8)}: allowedRegions must be a list of region names or null` };
  }
  for (const [id, tenant] of Object.entries(payload.tenants as Record<string, unknown>)) {
    if (!isRecord(tenant)) return { ok: false, reason: `tenant ${id} is malformed` };
    const bad = checkTenantFields(tenant);
    if (bad) return { ok: false, reason: `tenant ${id}: ${bad}` };
  }
  // A `defaults` field (a region max-output default no control plane publishes) is not read: ignored, whatever it holds.
  for (const [key, price] of Object.entries(payload.pricing as Record<string, unknown>)) {
    if (isRecord(price) && !isLongContext(price.longContext)) return { ok: false, reason: `pricing.${key}.longContext is malformed` };
  }
  const badDirectory = checkRegionDirectory(payload.regionDirectory);
  if (badDirectory) return { ok: false, reason: badDirectory };
  return { ok: true, value: payload as unknown as Snapshot };
}

const isRate = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= 0;
const isOptionalRate = (v: unknown): boolean => v === undefined || v === null || isRate(v);

/** A price's long-context tier (absent in older snapshots): a positive whole threshold and non-negative rates, or none. */
function isLongContext(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (!isRecord(v)) return false;
  return Number.isSafeInteger(v.thresholdTokens) && (v.thresholdTokens as number) > 0 && isRate(v.input) && isRate(v.output) && isOptionalRate(v.cachedInput) && isOptionalRate(v.cacheWrite) && isOptionalRate(v.reasoning);
}

const isStringArray = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === "string");

/**
 * The fields a proxy reads to write a residency_violation message; fields it does not know are left
 * alone, so a newer control plane may add some (as `aliases` was added).
 */
function checkRegionDirectory(value: unknown): string | null {
  if (value === undefined) return null;
  if (!isRecord(value)) return "regionDirectory is not an object";
  for (const [name, entry] of Object.entries(value)) {
    if (!isRecord(entry) || !isStringArray(entry.jurisdictions) || !(entry.publicUrl == null || typeof entry.publicUrl === "string")) return `regionDirectory.${name} is malformed`;
    if (entry.aliases === undefined) continue;
    if (!isRecord(entry.aliases)) return `regionDirectory.${name}.aliases is not an object`;
    for (const [alias, traits] of Object.entries(entry.aliases)) {
      const wellFormed =
        Array.isArray(traits) &&
        traits.every((t) => isRecord(t) && (t.jurisdiction === null || typeof t.jurisdiction === "string") && isStringArray(t.flags) && (t.embeddings === undefined || typeof t.embeddings === "boolean"));
      if (!wellFormed) return `regionDirectory.${name}.aliases.${alias} is malformed`;
    }
  }
  return null;
}

/** A present timeout must be a positive integer of milliseconds. */
function checkTimeouts(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) return "timeouts is not an object";
  for (const field of ["connectMs", "firstByteMs", "totalMs"] as const) {
    const v = value[field];
    if (v !== undefined && !(Number.isSafeInteger(v) && (v as number) > 0)) return `timeouts.${field} must be a positive integer`;
  }
  return null;
}

const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isOptionalCount = (v: unknown): boolean => v === undefined || v === null || isCount(v);

/** The cheap checks on optional limit fields: a present number must be a non-negative integer. */
function checkRateLimits(value: unknown, name: string): string | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) return `${name} is not an object`;
  for (const field of ["rpm", "tpm"] as const) if (!isOptionalCount(value[field])) return `${name}.${field} must be a non-negative integer or null`;
  return null;
}

function checkLimitFields(owner: Record<string, unknown>): string | null {
  const bad = checkRateLimits(owner.limits, "limits");
  if (bad) return bad;
  const budgets = owner.budgets;
  if (budgets === undefined || budgets === null) return null;
  if (!isRecord(budgets)) return "budgets is not an object";
  for (const field of ["dailyMicros", "monthlyMicros"] as const) if (!isOptionalCount(budgets[field])) return `budgets.${field} must be a non-negative integer or null`;
  return null;
}

function checkTenantFields(tenant: Record<string, unknown>): string | null {
  const bad = checkLimitFields(tenant);
  if (bad) return bad;
  if (tenant.parentId !== undefined && tenant.parentId !== null && typeof tenant.parentId !== "string") return "parentId must be a string or null";
  // Refused here rather than at request time, where periodKeys() would throw on every budgeted call.
  if (tenant.timeZone !== undefined && !isTimeZone(tenant.timeZone)) return `timeZone ${String(tenant.timeZone)} is not an IANA time zone`;
  if (tenant.budgetFailOpen !== undefined && typeof tenant.budgetFailOpen !== "boolean") return "budgetFailOpen must be a boolean";
  // Read with includes() along the tenant chain (residency.ts, authorize.ts): a string would be a substring test.
  for (const field of ["allowedJurisdictions", "allowedAliases"] as const) {
    if (!(tenant[field] === undefined || tenant[field] === null || isStringArray(tenant[field]))) return `${field} must be a list of strings or null`;
  }
  if (tenant.featureLimits !== undefined) {
    if (!isRecord(tenant.featureLimits)) return "featureLimits is not an object";
    for (const [feature, limits] of Object.entries(tenant.featureLimits)) {
      const badFeature = checkRateLimits(limits, `featureLimits.${feature}`);
      if (badFeature) return badFeature;
    }
  }
  return null;
}
