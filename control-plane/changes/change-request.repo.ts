/** SQL for change requests and their approvals. */
import type { Queryable, Tx } from "../db/client.ts";
import { currentValue, sameValue, type DiffEntry, type EntityWrite, type PolicyEntity, type PolicyState } from "./policy-state.ts";
import { requestBrokenDependencies, type DependentRequest } from "./request-broken-dependencies.ts";
import { findConfigState } from "./policy-state.repo.ts";
import { truncateText } from "../audit/audit-text.ts";
import { appendAudit } from "../audit/audit.repo.ts";
import { auditedBy, type AuditActor } from "../audit/audit-actor.ts";

export type ChangeStatus = "pending" | "approved" | "scheduled" | "applied" | "rejected" | "withdrawn" | "stale";
/** Statuses in which a request may still apply. */
export const OPEN_STATUSES: readonly ChangeStatus[] = ["pending", "approved", "scheduled"];

export interface ChangeRequestRow {
  id: string;
  author: string;
  /** The token the author proposed with (null for the bootstrap token and requests from before migration 0070). */
  authorJti: string | null;
  status: ChangeStatus;
  description: string;
  kind: "change" | "rollback";
  writes: EntityWrite[];
  bases: EntityWrite[];
  diff: DiffEntry[];
  tenantIds: string[];
  baseVersion: number;
  applyAt: Date | null;
  appliedVersion: number | null;
  createdAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
  reason: string | null;
}

const COLUMNS = `id, author, author_jti as "authorJti", status, description, kind, writes, bases, diff, tenant_ids as "tenantIds", base_version as "baseVersion",
  apply_at as "applyAt", applied_version as "appliedVersion", created_at as "createdAt", decided_at as "decidedAt",
  decided_by as "decidedBy", reason`;

export async function insertChangeRequest(tx: Tx, r: Omit<ChangeRequestRow, "createdAt" | "decidedAt" | "decidedBy" | "reason" | "appliedVersion">): Promise<ChangeRequestRow> {
  await tx`insert into change_requests (id, author, author_jti, status, description, kind, writes, bases, diff, tenant_ids, base_version, apply_at)
    values (${r.id}, ${r.author}, ${r.authorJti}, ${r.status}, ${r.description}, ${r.kind}, ${tx.json(r.writes as never)}, ${tx.json(r.bases as never)},
            ${tx.json(r.diff as never)}, ${tx.array(r.tenantIds)}, ${r.baseVersion}, ${r.applyAt})`;
  return (await findChangeRequest(tx, r.id))!;
}

export async function findChangeRequest(q: Queryable, id: string, forUpdate = false): Promise<ChangeRequestRow | null> {
  const [row] = await q.unsafe<ChangeRequestRow[]>(`select ${COLUMNS} from change_requests where id = $1${forUpdate ? " for update" : ""}`, [id]);
  return row ?? null;
}

/** The only writes a principal confined to tenant subtrees may see in a request. */
export const TENANT_ENTITIES: readonly PolicyEntity[] = ["tenantPolicy", "tenantStatus"];

export interface ChangeRequestFilter {
  status?: ChangeStatus | null;
  author?: string | null;
  /** Only requests whose every write is tenant policy or status inside this set (tenant admins); null = no restriction. */
  withinTenants?: string[] | null;
}

export async function listChangeRequestsPage(q: Queryable, filter: ChangeRequestFilter, after: string | null, limit: number): Promise<ChangeRequestRow[]> {
  const scoped = filter.withinTenants ?? null;
  // Same rule as canSee: the writes decide, so a request mixing global writes in is never listed.
  return [
    ...(await q.unsafe<ChangeRequestRow[]>(
      `select ${COLUMNS} from change_requests
       where id > $1 and ($2::text is null or status = $2) and ($3::text is null or author = $3)
         and ($4::text[] is null or (jsonb_array_length(writes) > 0 and not exists (
           select 1 from jsonb_array_elements(writes) w
           where not (w->>'entity' = any($5::text[])) or not (w->>'id' = any($4::text[])))))
       order by id limit $6`,
      [after ?? "", filter.status ?? null, filter.author ?? null, scoped, TENANT_ENTITIES, limit] as never[],
    )),
  ];
}

export async function setChangeStatus(q: Queryable, id: string, status: ChangeStatus, by: string | null, reason: string | null = null, appliedVersion: number | null = null): Promise<ChangeRequestRow> {
  const [row] = await q.unsafe<ChangeRequestRow[]>(
    `update change_requests set status = $2, decided_at = now(), decided_by = coalesce($3, decided_by), reason = coalesce($4, reason),
       applied_version = coalesce($5, applied_version) where id = $1 returning ${COLUMNS}`,
    [id, status, by, reason, appliedVersion] as never[],
  );
  return row!;
}

export interface ApprovalRow {
  changeId: string;
  approver: string;
  /** The token the approval was given with (null for the bootstrap token). */
  jti: string | null;
  at: Date;
}

export async function approvalsFor(q: Queryable, changeIds: readonly string[]): Promise<ApprovalRow[]> {
  if (changeIds.length === 0) return [];
  return [
    ...(await q<ApprovalRow[]>`select change_id as "changeId", approver, jti, at from change_approvals
      where change_id in ${q(changeIds as string[])} order by at, approver`),
  ];
}

/**
 * False when this approver already approved. An earlier approval of theirs given with a token revoked
 * since is void (`approvalsWithLiveTokens`), so it is replaced by this one (its token, its time) rather
 * than counted as theirs: whoever the stolen token belonged to may approve again.
 */
export async function insertApproval(tx: Tx, changeId: string, approver: string, jti: string | null): Promise<boolean> {
  const rows = await tx`insert into change_approvals (change_id, approver, jti) values (${changeId}, ${approver}, ${jti})
    on conflict (change_id, approver) do update set jti = excluded.jti, at = excluded.at
    where exists (select 1 from issued_tokens t where t.jti = change_approvals.jti and t.revoked_at is not null)
    returning 1`;
  return rows.length > 0;
}

/** True when some target no longer looks as it did when the request was proposed. */
export function isStale(bases: EntityWrite[], state: PolicyState): boolean {
  // Dependency bases (deployments newly routed to) are brokenDependencies' to judge, with its reason.
  return bases.some((b) => !b.dependency && !sameValue(currentValue(state, b.entity, b.id), b.value));
}

/** Marks an open request stale with its `change.stale` audit row (the reason kept), by `who`. */
export async function markRequestStale(tx: Tx, id: string, why: string, who: AuditActor): Promise<void> {
  const reason = truncateText(why, 1000);
  await tx`update change_requests set status = 'stale', reason = ${reason} where id = ${id}`;
  await appendAudit(tx, { action: "change.stale", target: id, after: { reason }, ...auditedBy(who) });
}

/**
 * After a config change: open requests whose targets moved are stale; they must be re-proposed. Each
 * gets its `change.stale` audit row with the reason, by `who` (the actor of the change that moved them).
 */
export async function markStaleRequests(tx: Tx, state: PolicyState, who: AuditActor): Promise<void> {
  const open = await tx<({ id: string } & DependentRequest)[]>`
    select id, kind, writes, bases, base_version as "baseVersion" from change_requests where status in ('pending', 'approved', 'scheduled') order by id`;
  const markStale = (id: string, why: string) => markRequestStale(tx, id, why, who);
  // A request is stale when its targets moved, or when what it depends on did (a deployment it newly routes to disabled, gone or redefined).
  const stale: string[] = [];
  for (const r of open) {
    const broken = await requestBrokenDependencies(r, state, (version) => findConfigState(tx, version));
    const why = isStale(r.bases, state) ? "configuration changed underneath" : broken.length > 0 ? `dependency changed underneath: ${broken.join("; ")}` : null;
    if (why === null) continue;
    stale.push(r.id);
    await markStale(r.id, why);
  }
  // Tenant policy depends on the tree around it too: a child's rpm 100 no longer fits once its parent
  // applied rpm 50 (nor a parent's narrowing once a child went wider). Loaded late: build-writes reaches
  // back to the config change that calls this.
  const policyRequests = open.filter((r) => !stale.includes(r.id) && r.writes.some((w) => w.entity === "tenantPolicy"));
  if (policyRequests.length === 0) return;
  const { tenantPolicyConflict } = await import("./build-writes.ts");
  for (const r of policyRequests) {
    const why = await tenantPolicyConflict(tx, r.writes);
    if (why) await markStale(r.id, `tenant policy no longer fits: ${why}`);
  }
}

/**
 * Scheduled requests whose time has come, and requests left `approved` (approving applies in the same
 * transaction now, so only an older release could leave one): each applies or goes stale, once.
 */
export async function dueScheduledIds(q: Queryable): Promise<string[]> {
  return (
    await q<{ id: string }[]>`select id from change_requests where (status = 'scheduled' and apply_at <= now()) or status = 'approved' order by apply_at nulls first, id`
  ).map((r) => r.id);
}
