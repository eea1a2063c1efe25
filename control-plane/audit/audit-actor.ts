import type { Tx } from "../db/client.ts";

/** Who an audit row is attributed to. */
export interface AuditActor {
  id: string;
  /** The client address of the request, when known. */
  clientAddress: string | null;
  /** The issued token (jti) the request authenticated with; absent or null for the bootstrap token and the system. */
  tokenId?: string | null;
  /** Who issued that token, only when not `id` itself: the admin acting through a token in `id`'s name. */
  issuedBy?: string | null;
  /**
   * Checks again, in the transaction that has just taken the config lock, that the caller may still do
   * what it asked (auth/still-allowed.ts): a token revoked, or a role taken away, while the request
   * waited for the lock throws. Absent for the system and for refusal rows. Never written to a row.
   */
  stillAllowed?: (tx: Tx) => Promise<void>;
}

/** `actor` for a refusal row: never checked again (a revoked token's refusal is written too). */
export function refusalActor(actor: AuditActor): AuditActor {
  return { ...actor, stillAllowed: undefined };
}

/** The audit row's fields naming the actor, its address, and the token it acted with and that token's issuer. */
export function auditedBy(actor: AuditActor): { actor: string; clientAddress: string | null; tokenId: string | null; issuedBy: string | null } {
  return { actor: actor.id, clientAddress: actor.clientAddress, tokenId: actor.tokenId ?? null, issuedBy: actor.issuedBy ?? null };
}
