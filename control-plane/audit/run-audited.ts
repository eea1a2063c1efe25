/**
 * An audited action that is not a configuration change (a proposal, an approval, a grant, a refusal):
 * one transaction under the config lock, which also orders the audit chain, with its audit row.
 */
import type { Sql, Tx } from "../db/client.ts";
import { appendAudit, type AuditEntry } from "./audit.repo.ts";
import { auditedBy, type AuditActor } from "./audit-actor.ts";

/** Serialises config changes and audit appends so versions, snapshots and the chain stay in commit order. */
export const CONFIG_LOCK_ID = 0x63666767;

export interface AuditedOutcome<T> {
  result: T;
  audit: Omit<AuditEntry, "actor" | "clientAddress" | "tokenId" | "issuedBy">;
}

export function toAuditActor(who: string | AuditActor): AuditActor {
  return typeof who === "string" ? { id: who, clientAddress: null } : who;
}

export async function runAudited<T>(sql: Sql, who: string | AuditActor, change: (tx: Tx) => Promise<AuditedOutcome<T>>): Promise<T> {
  const actor = toAuditActor(who);
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${CONFIG_LOCK_ID})`;
    const { result, audit } = await change(tx);
    await appendAudit(tx, { ...audit, ...auditedBy(actor) });
    return result;
  }) as Promise<T>;
}
