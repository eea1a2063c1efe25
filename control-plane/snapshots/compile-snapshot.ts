/**
 * Rows → the snapshot one region runs on. Pure: the same rows, region and version always give the
 * same snapshot (apart from `issuedAt`, which the caller passes).
 */
import {
  SNAPSHOT_SCHEMA_VERSION,
  priceKey,
  type ProviderKind,
  type Snapshot,
  type SnapshotAlias,
  type SnapshotDeployment,
  type SnapshotKey,
  type SnapshotTenant,
} from "../../shared/snapshot/schema.ts";
import type { Price } from "../../shared/money/cost.ts";

export interface ConfigRows {
  tenants: { id: string; name: string; status: "active" | "disabled" }[];
  keys: {
    id: string;
    tenantId: string;
    name: string;
    keyHash: string;
    status: "active" | "revoked";
    expiresAt: Date | null;
    allowedAliases: string[] | null;
  }[];
  deployments: { id: string; provider: ProviderKind; baseUrl: string; model: string; region: string; credentialRef: string }[];
  /** Each alias's chain in fallback order, across all regions. */
  aliases: { name: string; deploymentIds: string[] }[];
  prices: { provider: string; model: string; inputMicros: number; outputMicros: number; cachedInputMicros: number | null }[];
}

/** Compiles the snapshot for `region` at `version`; aliases with no deployment in the region are left out. */
export function compileSnapshot(rows: ConfigRows, region: string, version: number, issuedAt = new Date()): Snapshot {
  const keys: Record<string, SnapshotKey> = {};
  for (const k of rows.keys) {
    keys[k.keyHash] = {
      id: k.id,
      tenantId: k.tenantId,
      name: k.name,
      status: k.status,
      expiresAt: k.expiresAt ? k.expiresAt.toISOString() : null,
      allowedAliases: k.allowedAliases ? [...k.allowedAliases] : null,
    };
  }
  const tenants: Record<string, SnapshotTenant> = {};
  for (const t of rows.tenants) tenants[t.id] = { id: t.id, name: t.name, status: t.status };
  const deployments: Record<string, SnapshotDeployment> = {};
  for (const d of rows.deployments) {
    if (d.region !== region) continue;
    deployments[d.id] = {
      id: d.id,
      provider: d.provider,
      baseUrl: d.baseUrl,
      model: d.model,
      region: d.region,
      credentialRef: d.credentialRef,
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
    };
  }
  return { schema: SNAPSHOT_SCHEMA_VERSION, region, version, issuedAt: issuedAt.toISOString(), keys, tenants, aliases, deployments, pricing };
}
