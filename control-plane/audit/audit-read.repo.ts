/** Reads the audit log, newest first, or in chain order for verification. */
import type { Queryable } from "../db/client.ts";
import type { AuditEntry } from "./audit.type.ts";

const COLUMNS = `id::text as id, at, actor, action, target, before, after, prev_hash as "prevHash", hash,
  client_address as "clientAddress", break_glass as "breakGlass"`;

export interface AuditFilter {
  actor?: string | null;
  /** An exact action, or a prefix ending in "." (e.g. "change." or "refused."). */
  action?: string | null;
  target?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** Newest first, `limit` rows with id below `beforeId`. Ordered by the bigint column, not its text alias. */
export async function latestAuditEntries(q: Queryable, filter: AuditFilter, beforeId: string | null, limit: number): Promise<AuditEntry[]> {
  const action = filter.action ?? null;
  const prefix = action !== null && action.endsWith(".");
  return [
    ...(await q.unsafe<AuditEntry[]>(
      `select ${COLUMNS} from audit_log
       where ($1::bigint is null or audit_log.id < $1::bigint) and ($2::text is null or actor = $2)
         and ($3::text is null or (case when $4::boolean then starts_with(action, $3) else action = $3 end))
         and ($5::text is null or target = $5) and ($6::timestamptz is null or at >= $6) and ($7::timestamptz is null or at < $7)
       order by audit_log.id desc limit $8`,
      [beforeId, filter.actor ?? null, action, prefix, filter.target ?? null, filter.from ?? null, filter.to ?? null, limit] as never[],
    )),
  ];
}

/** Streams the whole chain in order, a page at a time, so a long log is not held in memory. */
export async function* auditChain(q: Queryable, pageSize = 1000): AsyncGenerator<AuditEntry> {
  let after = "0";
  for (;;) {
    const page = await q.unsafe<AuditEntry[]>(`select ${COLUMNS} from audit_log where audit_log.id > $1 order by audit_log.id limit $2`, [after, pageSize]);
    yield* page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.id;
  }
}
