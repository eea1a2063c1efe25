/**
 * A small snapshot with a tenant tree (org → team → project) for the limits tests: every level
 * configurable per test, the rest fixed.
 */
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot, type SnapshotDeployment, type SnapshotKey, type SnapshotTenant } from "../../shared/snapshot/schema.ts";

export const ORG = "ten_org";
export const TEAM = "ten_team";
export const PROJECT = "ten_project";

export const DEPLOYMENT: SnapshotDeployment = {
  id: "dep_openai",
  provider: "openai",
  baseUrl: "http://127.0.0.1:1/v1",
  model: "gpt-4o-mini",
  region: "eu",
  credentialRef: "env:OPENAI_KEY",
};

export function testKey(fields: Partial<SnapshotKey> = {}): SnapshotKey {
  return { id: "key_one", tenantId: PROJECT, name: "one", status: "active", expiresAt: null, allowedAliases: null, ...fields };
}

/** Builds the tree; `tenants` overrides fields per tenant id. */
export function testSnapshot(tenants: Record<string, Partial<SnapshotTenant>> = {}, extra: Partial<Snapshot> = {}): Snapshot {
  const tenant = (id: string, parentId: string | null): SnapshotTenant => ({ id, name: id, status: "active", parentId, ...tenants[id] });
  return {
    schema: SNAPSHOT_SCHEMA_VERSION,
    region: "eu",
    version: 1,
    issuedAt: new Date(0).toISOString(),
    keys: {},
    tenants: { [ORG]: tenant(ORG, null), [TEAM]: tenant(TEAM, ORG), [PROJECT]: tenant(PROJECT, TEAM) },
    aliases: { chat: { name: "chat", chain: [DEPLOYMENT.id] } },
    deployments: { [DEPLOYMENT.id]: DEPLOYMENT },
    // $1 per 1M input tokens, $2 per 1M output tokens (micro-USD per 1M tokens).
    pricing: { "openai:gpt-4o-mini": { input: 1_000_000, output: 2_000_000 } },
    ...extra,
  };
}
