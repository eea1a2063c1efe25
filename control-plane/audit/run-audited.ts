/**
 * An audited action that is not a configuration change (a proposal, an approval, a grant, a refusal):
 * one transaction under the config lock, which also orders the audit chain, with its audit row. Its
 * waits are bounded (audit/config-lock.ts): past them it answers a BUSY GraphQL error. The caller is
 * checked again once it holds the lock (inConfigLockAs).
 */
import type { Sql, Tx } from "../db/client.ts";
import { appendAudit, type AuditEntry } from "./audit.repo.ts";
import { auditedBy, type AuditActor } from "./audit-actor.ts";
import { inConfigLockAs } from "./config-lock.ts";

export { CONFIG_LOCK_ID } from "./config-lock.ts";

export interface AuditedOutcome<T> {
  result: T;
  audit: Omit<AuditEntry, "actor" | "clientAddress" | "tokenId" | "issuedBy">;
}

export function toAuditActor(who: string | AuditActor): AuditActor {
  return typeof who === "string" ? { id: who, clientAddress: null } : who;
}

export async function runAudited<T>(sql: Sql, who: string | AuditActor, change: (tx: Tx) => Promise<AuditedOutcome<T>>): Promise<T> {
  const actor = toAuditActor(who);
  return inConfigLockAs(sql, actor, async (tx) => {
    const { result, audit } = await change(tx);
    await appendAudit(tx, { ...audit, ...auditedBy(actor) });
    return result;
  });
}
