/**
 * Every configuration mutation runs through `runConfigChange`: one transaction that takes the config
 * lock, applies the change, writes its audit row, bumps the config version and publishes a signed
 * snapshot per region. Either all of it commits or none of it does.
 */
import type { Sql, Tx } from "../db/client.ts";
import { appendAudit, type AuditEntry } from "../audit/audit.repo.ts";
import type { SigningKey } from "../../shared/snapshot/sign.ts";
import { publishSnapshots } from "./publish-snapshots.ts";

/** Serialises config changes so versions, snapshots and the audit chain stay in commit order. */
const CONFIG_LOCK_ID = 0x63666767;

export interface ConfigChangeDeps {
  sql: Sql;
  signingKey: SigningKey;
}

export interface ChangeOutcome<T> {
  result: T;
  audit: Omit<AuditEntry, "actor">;
}

export async function runConfigChange<T>(
  deps: ConfigChangeDeps,
  actor: string,
  change: (tx: Tx) => Promise<ChangeOutcome<T>>,
): Promise<T> {
  return deps.sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${CONFIG_LOCK_ID})`;
    const { result, audit } = await change(tx);
    await appendAudit(tx, { ...audit, actor });
    const [row] = await tx<{ version: number }[]>`insert into config_versions (reason) values (${audit.action}) returning version`;
    await publishSnapshots(tx, deps.signingKey, row!.version);
    return result;
  }) as Promise<T>;
}
