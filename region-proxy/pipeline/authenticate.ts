/**
 * Step 1, authenticate: `Authorization: Bearer gwk_...` → SHA-256 → key record (O(1)). Missing,
 * malformed, unknown, revoked or expired keys and disabled tenants all give one verdict the client
 * cannot tell apart (invalid_api_key); the reason is kept for logs.
 */
import { hashSecret, isGatewayKeyFormat } from "../../shared/ids.ts";
import type { Snapshot, SnapshotKey, SnapshotTenant } from "../../shared/snapshot/schema.ts";

export type AuthVerdict =
  | { ok: true; key: SnapshotKey; tenant: SnapshotTenant; keyHash: string }
  | { ok: false; reason: "missing" | "malformed" | KeyRefusal };

/** Why a snapshot refuses a key it is asked about by hash. */
export type KeyRefusal = "not_found" | "revoked" | "expired" | "tenant_disabled";

export function authenticate(authorization: string | null, snapshot: Snapshot, now = Date.now()): AuthVerdict {
  if (!authorization) return { ok: false, reason: "missing" };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match || !isGatewayKeyFormat(match[1]!)) return { ok: false, reason: "malformed" };
  return keyStanding(hashSecret(match[1]!), snapshot, now);
}

/**
 * The key's standing in `snapshot`, by its hash: what authenticate checks once the header is read, and
 * what a running stream is checked against again when a newer snapshot is swapped in
 * (recheck-streams.ts), so both refuse the same keys.
 */
export function keyStanding(keyHash: string, snapshot: Snapshot, now: number): AuthVerdict {
  const key = snapshot.keys[keyHash];
  if (!key) return { ok: false, reason: "not_found" };
  if (key.status !== "active") return { ok: false, reason: "revoked" };
  if (key.expiresAt !== null && !(Date.parse(key.expiresAt) > now)) return { ok: false, reason: "expired" };
  const tenant = snapshot.tenants[key.tenantId];
  if (!tenant || tenant.status !== "active") return { ok: false, reason: "tenant_disabled" };
  return { ok: true, key, tenant, keyHash };
}
