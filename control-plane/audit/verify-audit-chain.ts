/**
 * Recomputes every audit hash in order; the first row that does not match breaks the chain. Keyed rows
 * (`hmac-sha256`) are checked under the control plane's audit key, which the database does not hold, so
 * a row appended with only INSERT rights cannot match. Unkeyed rows (`sha256`, written before the chain
 * was keyed) are accepted only before the first keyed row. The chain alone cannot show its newest rows
 * gone, so each row must also carry the head appended with it (its position and hash, in append-only
 * `audit_head`), and a head whose row is gone breaks the chain there.
 *
 * A chain the database owner rewrote whole as unkeyed rows (no key needed) reads exactly like one from
 * before the key, and verifies: the verdict says how many rows are unkeyed and where keyed hashing
 * begins, for a monitor to alert on, and only the head's anchor outside the database proves it.
 */
import type { Queryable } from "../db/client.ts";
import { AUDIT_GENESIS_HASH, AUDIT_SCHEME_KEYED, AUDIT_SCHEME_UNKEYED, auditHash, auditHmac, type AuditContent } from "./audit-hash.ts";
import { auditKeyFor } from "./audit-key.ts";
import { auditChain, firstOrphanedHead } from "./audit-read.repo.ts";
import type { AuditChainVerdict, AuditEntry } from "./audit.type.ts";

/** What a stored row's hash covers, as appendAudit hashed it. */
export function storedContent(row: AuditEntry): AuditContent {
  return {
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    target: row.target,
    before: row.before ?? null,
    after: row.after ?? null,
    clientAddress: row.clientAddress,
    breakGlass: row.breakGlass,
    tokenId: row.tokenId,
    issuedBy: row.issuedBy,
  };
}

/** `key`: the audit key (default: the one the control plane gave this handle); without one no keyed row verifies. */
export async function verifyAuditChain(q: Queryable, key: Uint8Array | null = auditKeyFor(q)): Promise<AuditChainVerdict> {
  let prev = AUDIT_GENESIS_HASH;
  let checked = 0;
  let unkeyedRows = 0;
  let keyedFrom: number | null = null;
  const verdict = (brokenAt: number | null): AuditChainVerdict => ({ ok: brokenAt === null, brokenAt, checked, unkeyedRows, keyedFrom });
  for await (const row of auditChain(q)) {
    let expected: string | null = null;
    if (row.hashScheme === AUDIT_SCHEME_KEYED) {
      if (key) expected = auditHmac(key, prev, storedContent(row));
    } else if (row.hashScheme === AUDIT_SCHEME_UNKEYED && keyedFrom === null) {
      expected = auditHash(prev, storedContent(row));
    }
    if (expected === null || row.prevHash !== prev || row.hash !== expected) return verdict(Number(row.id));
    if (row.headSeq !== String(checked + 1) || row.headHash !== row.hash) return verdict(Number(row.id));
    if (row.hashScheme === AUDIT_SCHEME_KEYED) keyedFrom ??= Number(row.id);
    else unkeyedRows++;
    prev = row.hash;
    checked++;
  }
  // Read after the walk: rows appended meanwhile have their heads and rows both (one transaction).
  return verdict(await firstOrphanedHead(q));
}
