/**
 * The audit chain's key at start: AUDIT_HMAC_KEY (at least 32 characters), else `dataDir/audit-hmac.key`,
 * else a fresh 256-bit key written there with mode 0600 — the same pattern as the admin JWT secret, and
 * like it never stored in the database: whoever can write the database must not be able to extend the
 * chain. Control planes sharing a database must share this key.
 *
 * Before serving, the start
 * - gives the pool the key (appendAudit and verifyAuditChain find it there);
 * - logs an error when the newest keyed row does not verify under this key (another key wrote it):
 *   the key is not adopted or replaced, and verifyAuditChain reports the chain broken;
 * - seals a chain whose newest row is unkeyed (a database from before the key) with one keyed row,
 *   `audit.key` by `system:config`, so no unkeyed row can be appended after it unnoticed; and logs a
 *   warning naming how many unkeyed rows it seals and whether a keyed row precedes them (unkeyedEndWarning).
 */
import type { Queryable, Sql } from "../db/client.ts";
import { loadSecret } from "../auth/token-secret.ts";
import { AUDIT_SCHEME_KEYED, AUDIT_SCHEME_UNKEYED, auditHmac } from "./audit-hash.ts";
import { keyAuditChain } from "./audit-key.ts";
import { newestAuditRowOf } from "./audit-read.repo.ts";
import { appendAudit } from "./audit.repo.ts";
import { CONFIG_LOCK_ID } from "./run-audited.ts";
import { storedContent } from "./verify-audit-chain.ts";

export const AUDIT_KEY_FILE = "audit-hmac.key";
/** Every row's content and hash are readable in the database, so a short key could be guessed offline. */
const MIN_CONFIGURED_LENGTH = 32;
/** Who the seal is attributed to: the control plane's own configuration, as for an ADMIN_TOKEN rotation. */
const CONFIG_ACTOR = "system:config";

export async function loadAuditKey(dataDir: string, configured: string | null | undefined): Promise<Uint8Array> {
  if (configured && configured.length < MIN_CONFIGURED_LENGTH) {
    throw new Error(`AUDIT_HMAC_KEY must be at least ${MIN_CONFIGURED_LENGTH} characters (a long random string), got ${configured.length}`);
  }
  return loadSecret(dataDir, AUDIT_KEY_FILE, configured);
}

/**
 * What the start says as it seals an unkeyed chain end: how many rows, and whether a keyed row comes
 * before them. After a keyed row no control plane writes unkeyed ones (verifyAuditChain reports the chain
 * broken there, sealed or not). With none before them the chain reads as a database from before the key —
 * or as one whose owner rewrote every row without it, which only the head's outside anchor can tell.
 */
async function unkeyedEndWarning(tx: Queryable): Promise<string> {
  const [keyed] = await tx<{ id: string }[]>`select id::text from audit_log where hash_scheme = ${AUDIT_SCHEME_KEYED} order by id desc limit 1`;
  const [end] = await tx<{ n: number }[]>`select count(*)::int as n from audit_log where hash_scheme = ${AUDIT_SCHEME_UNKEYED} and id > ${keyed?.id ?? "0"}`;
  const sealing = `control plane audit chain: sealing ${end!.n} unkeyed audit rows (${AUDIT_SCHEME_UNKEYED}) with a keyed audit.key row`;
  if (keyed) {
    return `${sealing}; they come after keyed row ${keyed.id}, which no control plane does: they were written without the key, and verifyAuditChain reports the chain broken at the first of them`;
  }
  return (
    `${sealing}; no keyed row precedes them, so this reads as a database from before the audit key. If a control plane with a key ever ` +
    `wrote to this database, every row was rewritten without the key: compare the newest auditLog id and hash with your outside anchor`
  );
}

/** Returns the key, for other pools that append audit rows (keyAuditChain). */
export async function useAuditKey(sql: Sql, dataDir: string, configured: string | null | undefined, log: (line: string) => void): Promise<Uint8Array> {
  const key = await loadAuditKey(dataDir, configured);
  keyAuditChain(sql, key);
  const newest = await newestAuditRowOf(sql, AUDIT_SCHEME_KEYED);
  if (newest && newest.hash !== auditHmac(key, newest.prevHash, storedContent(newest))) {
    log(
      `control plane audit chain: the newest keyed audit row (id ${newest.id}) does not verify with this control plane's audit key; ` +
        `verifyAuditChain will report the chain broken. Every control plane on one database needs the same AUDIT_HMAC_KEY (or ${AUDIT_KEY_FILE})`,
    );
  }
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${CONFIG_LOCK_ID})`;
    const [last] = await tx<{ scheme: string }[]>`select hash_scheme as scheme from audit_log order by id desc limit 1`;
    if (last?.scheme !== AUDIT_SCHEME_UNKEYED) return;
    log(await unkeyedEndWarning(tx));
    await appendAudit(tx, { actor: CONFIG_ACTOR, clientAddress: null, action: "audit.key", target: "audit_log", after: { hashScheme: AUDIT_SCHEME_KEYED } });
  });
  return key;
}
