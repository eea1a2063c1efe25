/**
 * The audit chain's hash: each row commits to the previous row's hash and its own content, so editing
 * or deleting a past row breaks every hash after it. Rows are keyed (HMAC-SHA-256 under the control
 * plane's audit key, which the database does not hold), so a row appended by hand cannot be given a
 * hash that verifies; rows written before the key existed carry the unkeyed SHA-256 of the same text.
 */
import { createHash, createHmac } from "node:crypto";

export const AUDIT_GENESIS_HASH = "0".repeat(64);

/** `audit_log.hash_scheme`: how a row's hash was made. */
export const AUDIT_SCHEME_KEYED = "hmac-sha256";
/** Rows from before the chain was keyed; accepted only before the first keyed row. */
export const AUDIT_SCHEME_UNKEYED = "sha256";
export type AuditHashScheme = typeof AUDIT_SCHEME_KEYED | typeof AUDIT_SCHEME_UNKEYED;

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
  /** The token (jti) the act was done with; hashed only when set. */
  tokenId?: string | null;
  /** Who issued that token, when not the actor itself (an impersonation token); hashed only when set. */
  issuedBy?: string | null;
}

/** Drops the optional fields when unset, so the hash of an old-style row is unchanged. */
function hashable(content: AuditContent): Record<string, unknown> {
  const { clientAddress, breakGlass, tokenId, issuedBy, ...base } = content;
  return {
    ...base,
    ...(clientAddress ? { clientAddress } : {}),
    ...(breakGlass ? { breakGlass: true } : {}),
    ...(tokenId ? { tokenId } : {}),
    ...(issuedBy ? { issuedBy } : {}),
  };
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

/** The unkeyed hash of a `sha256` row: anyone can compute it, so it only holds before the first keyed row. */
export function auditHash(prevHash: string, content: AuditContent): string {
  return createHash("sha256").update(prevHash).update("\n").update(canonicalJson(hashable(content))).digest("hex");
}

/** The keyed hash of an `hmac-sha256` row: the same text, HMAC-SHA-256 under the audit key. */
export function auditHmac(key: Uint8Array, prevHash: string, content: AuditContent): string {
  return createHmac("sha256", key).update(prevHash).update("\n").update(canonicalJson(hashable(content))).digest("hex");
}
