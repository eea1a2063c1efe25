/**
 * The signed configuration a region proxy runs on. The control plane compiles one per region after
 * every configuration change; a proxy answers every request from it, without calling home.
 *
 * It never holds a vendor credential: deployments name a `credentialRef` the proxy resolves locally
 * (`env:NAME` or `file:/path`).
 */
import type { Price } from "../money/cost.ts";

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
}

export interface SnapshotTenant {
  id: string;
  name: string;
  status: "active" | "disabled";
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
  /** Keyed by `${provider}:${model}`; micro-USD per 1M tokens. */
  pricing: Record<string, Price>;
}

export function priceKey(provider: string, model: string): string {
  return `${provider}:${model}`;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

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
  }
  for (const [name, alias] of Object.entries(payload.aliases as Record<string, unknown>)) {
    if (!isRecord(alias) || !Array.isArray(alias.chain)) return { ok: false, reason: `alias ${name} is malformed` };
    for (const depId of alias.chain) {
      if (typeof depId !== "string" || !(depId in deployments)) return { ok: false, reason: `alias ${name} names unknown deployment ${String(depId)}` };
    }
  }
  for (const [hash, key] of Object.entries(payload.keys as Record<string, unknown>)) {
    if (!isRecord(key) || typeof key.id !== "string" || typeof key.tenantId !== "string") return { ok: false, reason: `key ${hash.slice(0, 8)} is malformed` };
  }
  return { ok: true, value: payload as unknown as Snapshot };
}
