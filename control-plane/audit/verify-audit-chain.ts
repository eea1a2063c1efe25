/** Recomputes every audit hash in order; the first row that does not match breaks the chain. */
import type { Queryable } from "../db/client.ts";
import { AUDIT_GENESIS_HASH, auditHash } from "./audit-hash.ts";
import { auditChain } from "./audit-read.repo.ts";
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
    prev = row.hash;
    checked++;
  }
  return { ok: true, brokenAt: null, checked };
}
