/**
 * The audit chain's hash: each row commits to the previous row's hash and its own content, so editing
 * or deleting a past row breaks every hash after it.
 */
import { createHash } from "node:crypto";

export const AUDIT_GENESIS_HASH = "0".repeat(64);

export interface AuditContent {
  at: string;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  /** Where the request came from; hashed only when known, so rows written before it existed still verify. */
  clientAddress?: string | null;
  /** A kill switch that bypassed approval; hashed only when true. */
  breakGlass?: boolean;
}

/** Drops the optional fields when unset, so the hash of an old-style row is unchanged. */
function hashable(content: AuditContent): Record<string, unknown> {
  const { clientAddress, breakGlass, ...base } = content;
  return { ...base, ...(clientAddress ? { clientAddress } : {}), ...(breakGlass ? { breakGlass: true } : {}) };
}

/** Canonical JSON (sorted object keys) so the hash does not depend on key order after a jsonb round trip. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function auditHash(prevHash: string, content: AuditContent): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalJson(hashable(content))).digest("hex");
}
