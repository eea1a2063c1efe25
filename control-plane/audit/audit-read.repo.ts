/** Reads the audit log, newest first, or in chain order for verification. */
import type { Queryable } from "../db/client.ts";
import type { AuditEntry } from "./audit.type.ts";

const COLUMNS = `id::text as id, at, actor, action, target, before, after, prev_hash as "prevHash", hash,
  client_address as "clientAddress", break_glass as "breakGlass"`;

export async function latestAuditEntries(q: Queryable, limit: number): Promise<AuditEntry[]> {
  return [...(await q.unsafe<AuditEntry[]>(`select ${COLUMNS} from audit_log order by id desc limit $1`, [limit]))];
}

/** Streams the whole chain in order, a page at a time, so a long log is not held in memory. */
export async function* auditChain(q: Queryable, pageSize = 1000): AsyncGenerator<AuditEntry> {
  let after = "0";
  for (;;) {
    const page = await q.unsafe<AuditEntry[]>(`select ${COLUMNS} from audit_log where id > $1 order by id limit $2`, [after, pageSize]);
    yield* page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.id;
  }
}
