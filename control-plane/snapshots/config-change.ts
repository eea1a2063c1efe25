/**
 * Every configuration mutation runs through `runConfigChange`: one transaction that takes the config
 * lock, applies the change, writes its audit row, bumps the config version, stores the policy state of
 * that version (for rollback), marks change requests whose targets moved as stale, and publishes a
 * signed snapshot per region. Either all of it commits or none of it does. Its waits (for the config
 * lock, for a row another session holds) are bounded: past them it answers a BUSY GraphQL error and
 * changes nothing (audit/config-lock.ts). The caller is checked again once it holds the lock
 * (inConfigLockAs): a token revoked while it waited acts no more.
 */
import type { Sql, Tx } from "../db/client.ts";
import { appendAudit, type AuditEntry } from "../audit/audit.repo.ts";
import { auditedBy, type AuditActor } from "../audit/audit-actor.ts";
import { toAuditActor } from "../audit/run-audited.ts";
import { inConfigLockAs } from "../audit/config-lock.ts";
import { loadPolicyState, storeConfigState } from "../changes/policy-state.repo.ts";
import { markStaleRequests } from "../changes/change-request.repo.ts";
import type { SigningKey } from "../../shared/snapshot/sign.ts";
import { publishSnapshots } from "./publish-snapshots.ts";

export interface ConfigChangeDeps {
  sql: Sql;
  signingKey: SigningKey;
}

export interface ChangeOutcome<T> {
  result: T;
  audit: Omit<AuditEntry, "actor" | "clientAddress" | "tokenId" | "issuedBy">;
  /** Runs in the same transaction once the new config version is known. */
  onVersion?: (tx: Tx, version: number) => Promise<void>;
}

export async function runConfigChange<T>(
  deps: ConfigChangeDeps,
  who: string | AuditActor,
  change: (tx: Tx) => Promise<ChangeOutcome<T>>,
): Promise<T> {
  return inConfigLockAs(deps.sql, who, (tx) => configChangeLocked(tx, deps, who, change));
}

/**
 * The same inside a transaction that already holds the config lock, for an audited action that turns
 * into a config change in its own transaction (the last approval of a change request applies it): one
 * outcome, never the action without its change.
 */
export async function configChangeLocked<T>(
  tx: Tx,
  deps: ConfigChangeDeps,
  who: string | AuditActor,
  change: (tx: Tx) => Promise<ChangeOutcome<T>>,
): Promise<T> {
  const actor = toAuditActor(who);
  // Kept whole: `result` is read last, after onVersion, so it may depend on the version.
  const outcome = await change(tx);
  const { audit, onVersion } = outcome;
  await appendAudit(tx, { ...audit, ...auditedBy(actor) });
  const [row] = await tx<{ version: number }[]>`insert into config_versions (reason) values (${audit.action}) returning version`;
  if (onVersion) await onVersion(tx, row!.version);
  const state = await loadPolicyState(tx);
  await storeConfigState(tx, row!.version, state);
  await markStaleRequests(tx, state, actor);
  await publishSnapshots(tx, deps.signingKey, row!.version);
  return outcome.result;
}
