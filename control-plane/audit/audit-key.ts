/**
 * Which audit key a database handle appends and verifies with. The control plane gives its pool the
 * key at start (useAuditKey); appendAudit and verifyAuditChain only receive a pool or a transaction, so
 * the key is found through the handle: postgres.js gives a pool and every transaction (and savepoint)
 * begun on it the same `json` helper, which serves as the pool's identity here. A WeakMap, so a closed
 * pool's key goes with it, and several control planes in one process (tests) each keep their own.
 *
 * A handle with no key (a test or tool calling a repository function on a connection of its own)
 * appends unkeyed rows: they verify only before the first keyed row, so on a chain the control plane
 * has keyed such a row is reported as a break, never accepted.
 */
import type { Queryable, Sql } from "../db/client.ts";

const keys = new WeakMap<object, Uint8Array>();

function identity(q: Queryable): object {
  return q.json;
}

export function keyAuditChain(sql: Sql, key: Uint8Array): void {
  keys.set(identity(sql), key);
}

/** The key the control plane gave this pool (or the pool this transaction runs on), else null. */
export function auditKeyFor(q: Queryable): Uint8Array | null {
  return keys.get(identity(q)) ?? null;
}
