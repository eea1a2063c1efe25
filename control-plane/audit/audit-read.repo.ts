/** Reads the audit log, newest first, or in chain order for verification. */
import type { Queryable } from "../db/client.ts";
import type { AuditEntry } from "./audit.type.ts";

const COLUMNS = `audit_log.id::text as id, at, actor, action, target, before, after, prev_hash as "prevHash", audit_log.hash,
  client_address as "clientAddress", break_glass as "breakGlass", token_id as "tokenId", issued_by as "issuedBy"`;

export interface AuditFilter {
  actor?: string | null;
  /** An exact action, or a prefix ending in "." (e.g. "change." or "refused."). */
  action?: string | null;
  /** The row's own target, or an id its change diff names (a change request's propose, rollback and apply rows). */
  target?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** The containment pattern of a diff with an entry about `id` (audit_log_diff_idx answers it). */
const diffNaming = (id: string | null | undefined) => (id == null ? null : JSON.stringify([{ id }]));

/** Newest first, `limit` rows with id below `beforeId`. Ordered by the bigint column, not its text alias. */
export async function latestAuditEntries(q: Queryable, filter: AuditFilter, beforeId: string | null, limit: number): Promise<AuditEntry[]> {
  const action = filter.action ?? null;
  const prefix = action !== null && action.endsWith(".");
  return [
    ...(await q.unsafe<AuditEntry[]>(
      `select ${COLUMNS} from audit_log
       where ($1::bigint is null or audit_log.id < $1::bigint) and ($2::text is null or actor = $2)
         and ($3::text is null or (case when $4::boolean then starts_with(action, $3) else action = $3 end))
         and ($5::text is null or target = $5 or (after -> 'diff') @> $9::text::jsonb) and ($6::timestamptz is null or at >= $6) and ($7::timestamptz is null or at < $7)
       order by audit_log.id desc limit $8`,
      [beforeId, filter.actor ?? null, action, prefix, filter.target ?? null, filter.from ?? null, filter.to ?? null, limit, diffNaming(filter.target)] as never[],
    )),
  ];
}

/** A chain row with how its hash was made, and the head recorded for it when it was appended (null when there is none). */
export interface ChainRow extends AuditEntry {
  hashScheme: string;
  headSeq: string | null;
  headHash: string | null;
}

/** Streams the whole chain in order with each row's head, a page at a time, so a long log is not held in memory. */
export async function* auditChain(q: Queryable, pageSize = 1000): AsyncGenerator<ChainRow> {
  let after = "0";
  for (;;) {
    const page = await q.unsafe<ChainRow[]>(
      `select ${COLUMNS}, hash_scheme as "hashScheme", h.seq::text as "headSeq", h.hash as "headHash"
       from audit_log left join audit_head h on h.audit_id = audit_log.id
       where audit_log.id > $1 order by audit_log.id limit $2`,
      [after, pageSize],
    );
    yield* page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.id;
  }
}

/** The first audit row id whose head outlived it (the row was deleted), or null. */
export async function firstOrphanedHead(q: Queryable): Promise<number | null> {
  const [row] = await q<{ auditId: string | null }[]>`
    select min(h.audit_id)::text as "auditId" from audit_head h where not exists (select 1 from audit_log a where a.id = h.audit_id)`;
  return row?.auditId ? Number(row.auditId) : null;
}

/** The newest row whose hash is of `scheme`, or null. */
export async function newestAuditRowOf(q: Queryable, scheme: string): Promise<AuditEntry | null> {
  const [row] = await q.unsafe<AuditEntry[]>(`select ${COLUMNS} from audit_log where hash_scheme = $1 order by id desc limit 1`, [scheme]);
  return row ?? null;
}
