/**
 * Recomputes every audit hash in order; the first row that does not match breaks the chain. The chain
 * alone cannot show its newest rows gone, so each row must also carry the head appended with it (its
 * position and hash, in append-only `audit_head`), and a head whose row is gone breaks the chain there.
 */
import type { Queryable } from "../db/client.ts";
import { AUDIT_GENESIS_HASH, auditHash } from "./audit-hash.ts";
import { auditChain, firstOrphanedHead } from "./audit-read.repo.ts";
import type { AuditChainVerdict } from "./audit.type.ts";

export async function verifyAuditChain(q: Queryable): Promise<AuditChainVerdict> {
  let prev = AUDIT_GENESIS_HASH;
  let checked = 0;
  for await (const row of auditChain(q)) {
    const expected = auditHash(prev, {
      at: row.at.toISOString(),
      actor: row.actor,
      action: row.action,
      target: row.target,
      before: row.before ?? null,
      after: row.after ?? null,
      clientAddress: row.clientAddress,
      breakGlass: row.breakGlass,
    });
    if (row.prevHash !== prev || row.hash !== expected) return { ok: false, brokenAt: Number(row.id), checked };
    if (row.headSeq !== String(checked + 1) || row.headHash !== row.hash) return { ok: false, brokenAt: Number(row.id), checked };
    prev = row.hash;
    checked++;
  }
  // Read after the walk: rows appended meanwhile have their heads and rows both (one transaction).
  const orphan = await firstOrphanedHead(q);
  if (orphan !== null) return { ok: false, brokenAt: orphan, checked };
  return { ok: true, brokenAt: null, checked };
}
