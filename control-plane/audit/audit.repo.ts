/**
 * Appends to the hash-chained audit log. Takes the transaction of the change it records, never a bare
 * connection, so a change and its audit row commit or roll back together.
 */
import type { Tx } from "../db/client.ts";
import { AUDIT_GENESIS_HASH, AUDIT_SCHEME_KEYED, AUDIT_SCHEME_UNKEYED, auditHash, auditHmac, type AuditContent } from "./audit-hash.ts";
import { auditKeyFor } from "./audit-key.ts";
import { storableText } from "../../shared/text/storable-text.ts";
import { storableJson } from "./audit-text.ts";

export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
  /** The caller's address (socket, or x-forwarded-for when configured as trusted). */
  clientAddress?: string | null;
  /** Set by kill switches, which bypass approval. */
  breakGlass?: boolean;
  /** The token (jti) the act was done with, when it was an issued token. */
  tokenId?: string | null;
  /** Who issued that token, when not the actor (a token issued in another principal's name). */
  issuedBy?: string | null;
}

/**
 * Plain JSON (Dates → ISO strings) with storable strings, so what is hashed is exactly what jsonb
 * stores: a lone surrogate hashed as itself but stored as U+FFFD broke the chain for good.
 */
function toJson(value: unknown): unknown {
  return value === undefined ? null : storableJson(JSON.parse(JSON.stringify(value)));
}

/**
 * Caller must hold the config-change lock, which also orders the chain and its heads. Keyed with the
 * audit key the control plane gave `tx`'s pool; unkeyed only on a handle without one (see audit-key.ts).
 */
export async function appendAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  const [last] = await tx<{ hash: string }[]>`select hash from audit_log order by id desc limit 1`;
  const prevHash = last?.hash ?? AUDIT_GENESIS_HASH;
  const [head] = await tx<{ seq: string | null }[]>`select max(seq)::text as seq from audit_head`;
  const content: AuditContent = {
    at: new Date().toISOString(),
    actor: storableText(entry.actor),
    action: storableText(entry.action),
    target: storableText(entry.target),
    before: toJson(entry.before),
    after: toJson(entry.after),
    clientAddress: entry.clientAddress ? storableText(entry.clientAddress) : null,
    breakGlass: entry.breakGlass === true,
    tokenId: entry.tokenId ? storableText(entry.tokenId) : null,
    issuedBy: entry.issuedBy ? storableText(entry.issuedBy) : null,
  };
  const key = auditKeyFor(tx);
  const hash = key ? auditHmac(key, prevHash, content) : auditHash(prevHash, content);
  const scheme = key ? AUDIT_SCHEME_KEYED : AUDIT_SCHEME_UNKEYED;
  const [row] = await tx<{ id: string }[]>`insert into audit_log (at, actor, action, target, before, after, prev_hash, hash, client_address, break_glass, hash_scheme, token_id, issued_by)
    values (${content.at}, ${content.actor}, ${content.action}, ${content.target},
            ${tx.json(content.before as never)}, ${tx.json(content.after as never)}, ${prevHash}, ${hash},
            ${content.clientAddress ?? null}, ${content.breakGlass === true}, ${scheme},
            ${content.tokenId ?? null}, ${content.issuedBy ?? null}) returning id::text`;
  // The head anchors the chain's end: verifyAuditChain finds a deleted tail by its orphaned heads.
  await tx`insert into audit_head (seq, audit_id, hash) values (${String(BigInt(head?.seq ?? "0") + 1n)}, ${row!.id}, ${hash})`;
}
