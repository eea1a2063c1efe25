/**
 * Step 1, authenticate: `Authorization: Bearer gwk_...` → SHA-256 → key record (O(1)). Missing,
 * malformed, unknown, revoked or expired keys and disabled tenants all give one verdict the client
 * cannot tell apart (invalid_api_key); the reason is kept for logs.
 */
import { hashSecret, isGatewayKeyFormat } from "../../shared/ids.ts";
import type { Snapshot, SnapshotKey, SnapshotTenant } from "../../shared/snapshot/schema.ts";

export type AuthVerdict =
  | { ok: true; key: SnapshotKey; tenant: SnapshotTenant }
  | { ok: false; reason: "missing" | "malformed" | "not_found" | "revoked" | "expired" | "tenant_disabled" };

export function authenticate(authorization: string | null, snapshot: Snapshot, now = Date.now()): AuthVerdict {
  if (!authorization) return { ok: false, reason: "missing" };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match || !isGatewayKeyFormat(match[1]!)) return { ok: false, reason: "malformed" };
  const key = snapshot.keys[hashSecret(match[1]!)];
  if (!key) return { ok: false, reason: "not_found" };
  if (key.status !== "active") return { ok: false, reason: "revoked" };
  if (key.expiresAt !== null && !(Date.parse(key.expiresAt) > now)) return { ok: false, reason: "expired" };
  const tenant = snapshot.tenants[key.tenantId];
  if (!tenant || tenant.status !== "active") return { ok: false, reason: "tenant_disabled" };
  return { ok: true, key, tenant };
}
