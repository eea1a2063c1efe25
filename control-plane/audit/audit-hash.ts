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
  return createHash("sha256").update(prevHash).update("\n").update(canonicalJson(content)).digest("hex");
}
