/**
 * Another session holding the config lock, as a long admin transaction would: admin mutations queue
 * behind it until release() (config-lock, approve/apply and republish tests).
 *
 * @example const release = await holdConfigLock(t.db.url); try { ... } finally { await release(); }
 */
import { CONFIG_LOCK_ID } from "../audit/config-lock.ts";
import { holdInSession } from "./hold-tenant-row.ts";

/** Another session takes the config lock and keeps it until the returned release() is called. */
export function holdConfigLock(databaseUrl: string): Promise<() => Promise<void>> {
  return holdInSession(databaseUrl, (tx) => tx`select pg_advisory_xact_lock(${CONFIG_LOCK_ID})`);
}
