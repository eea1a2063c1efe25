/**
 * Propose → approve → apply. A proposal stores its writes, the base value of every target and the
 * diff; approvals come from someone other than the author; when enough are in, the request applies
 * as one config version — unless its targets moved (stale: CONFLICT, must be re-proposed) or its
 * approvals no longer hold, both checked again inside the applying transaction.
 */
import { GraphQLError } from "graphql";
import { GraphQLCode } from "../../shared/errors/graphql-codes.ts";
import { newId } from "../../shared/ids.ts";
import { runAudited } from "../audit/run-audited.ts";
import type { AuditActor } from "../audit/audit-actor.ts";
import { forbidden, visibleTenants } from "../auth/access.ts";
import { hasRole } from "../auth/principal.ts";
import type { Queryable, Tx } from "../db/client.ts";
import type { AppDeps, GraphQLContext } from "../graphql/context.ts";
import { badInput, conflict, notFound } from "../graphql/errors.ts";
import { requireText } from "../graphql/validate.ts";
import { runConfigChange } from "../snapshots/config-change.ts";
import { buildWrites, checkTenantPolicyWrite, tenantPolicyWrites } from "./build-writes.ts";
import {
  approvalsFor,
  findChangeRequest,
  insertApproval,
  insertChangeRequest,
  isStale,
  OPEN_STATUSES,
  setChangeStatus,
  TENANT_ENTITIES,
  type ChangeRequestRow,
} from "./change-request.repo.ts";
import type { ProposeChangeInput } from "./change-request.type.ts";
import { approvalIsAuthors, independentApprovals } from "./approval-is-authors.ts";
import { brokenDependencies, currentValue, diffEntity, writesBetween, type TenantPolicyValue } from "./policy-state.ts";
import { findConfigState, applyWrite, loadPolicyState } from "./policy-state.repo.ts";

function selfApproval(): GraphQLError {
  return new GraphQLError("the author of a change request cannot approve it, nor can a principal or token the author set up", { extensions: { code: GraphQLCode.SELF_APPROVAL } });
}

async function configVersion(q: Queryable): Promise<number> {
  const [row] = await q<{ version: number | null }[]>`select max(version) as version from config_versions`;
  return row?.version ?? 0;
}

/**
 * Visible to global readers; to a principal confined to subtrees only when every write in it is tenant
 * policy or status inside them (a diff also touching deployments, aliases or prices shows global
 * config). The writes decide, not `tenant_ids`, which lists only the tenant writes. Same rule as the
 * list's filter (`listChangeRequestsPage`).
 */
export async function canSee(ctx: GraphQLContext, cr: ChangeRequestRow): Promise<boolean> {
  const visible = await visibleTenants(ctx);
  if (visible === null) return true;
  return cr.writes.length > 0 && cr.writes.every((w) => TENANT_ENTITIES.includes(w.entity) && visible.has(w.id));
}

async function requireVisible(ctx: GraphQLContext, q: Queryable, id: string, forUpdate = false): Promise<ChangeRequestRow> {
  const cr = await findChangeRequest(q, id, forUpdate);
  if (!cr || !(await canSee(ctx, cr))) throw notFound("change request", id);
  return cr;
}

function checkApplyAt(applyAt: Date | null | undefined): Date | null {
  if (!applyAt) return null;
  if (Number.isNaN(applyAt.getTime())) throw badInput("applyAt", "is not a valid time");
  if (applyAt.getTime() > Date.now() + 366 * 86_400_000) throw badInput("applyAt", "must be within a year");
  return applyAt;
}

export async function proposeChange(ctx: GraphQLContext, input: ProposeChangeInput): Promise<ChangeRequestRow> {
  const description = requireText("description", input.description, 1000);
  const applyAt = checkApplyAt(input.applyAt);
  return runAudited(ctx.deps.sql, ctx.who, async (tx) => {
    const state = await loadPolicyState(tx);
    const built = await buildWrites(tx, ctx, state, input.operations);
    const cr = await insertChangeRequest(tx, {
      id: newId("chg"),
      author: ctx.principal.id,
      status: "pending",
      description,
      kind: "change",
      ...built,
      baseVersion: await configVersion(tx),
      applyAt,
    });
    return { result: cr, audit: { action: "change.propose", target: cr.id, after: { description, diff: cr.diff, applyAt } } };
  });
}

/** A change request whose diff shows what reverts to the policy state of `toVersion`. */
export async function proposeRollback(ctx: GraphQLContext, toVersion: number, description: string | null, applyAt?: Date | null): Promise<ChangeRequestRow> {
  const when = checkApplyAt(applyAt);
  return runAudited(ctx.deps.sql, ctx.who, async (tx) => {
    const target = await findConfigState(tx, toVersion);
    if (!target) throw notFound("config version", String(toVersion));
    const current = await loadPolicyState(tx);
    const writes = writesBetween(current, target);
    if (writes.length === 0) throw badInput("toVersion", `the policy already matches version ${toVersion}`);
    const bases = writes.map((w) => ({ entity: w.entity, id: w.id, value: currentValue(current, w.entity, w.id) }));
    const diff = writes.flatMap((w, i) => diffEntity(w.entity, w.id, bases[i]!.value, w.value));
    const cr = await insertChangeRequest(tx, {
      id: newId("chg"),
      author: ctx.principal.id,
      status: "pending",
      description: description?.trim() || `roll back to config version ${toVersion}`,
      kind: "rollback",
      writes,
      bases,
      diff,
      tenantIds: [...new Set(writes.filter((w) => w.entity === "tenantPolicy" || w.entity === "tenantStatus").map((w) => w.id))].sort(),
      baseVersion: await configVersion(tx),
      applyAt: when,
    });
    return { result: cr, audit: { action: "change.proposeRollback", target: cr.id, after: { toVersion, diff } } };
  });
}

/** Whether an approver still holds a role that may approve (checked again when applying). */
async function mayStillApprove(tx: Tx, approver: string): Promise<boolean> {
  if (approver.startsWith("adm_")) return (await tx`select 1 from admin_tokens where id = ${approver}`).length > 0;
  const rows = await tx`select 1 from role_bindings rb join principals p on p.id = rb.principal_id
    where rb.principal_id = ${approver} and p.status = 'active' and rb.role in ('admin', 'approver')`;
  return rows.length > 0;
}

class StaleChange extends Error {}

/** Applies an approved request as one config version; the approval rules and staleness are re-checked here. */
export async function applyChangeRequest(deps: AppDeps, id: string, who: AuditActor): Promise<ChangeRequestRow> {
  try {
    return await runConfigChange(deps, who, async (tx) => {
      const cr = await findChangeRequest(tx, id, true);
      if (!cr) throw notFound("change request", id);
      if (cr.status !== "approved" && cr.status !== "scheduled") throw conflict(`change request ${id} is ${cr.status}`);
      const approvals = await approvalsFor(tx, [id]);
      let valid = 0;
      for (const a of await independentApprovals(tx, cr.author, approvals)) if (await mayStillApprove(tx, a.approver)) valid++;
      if (valid < deps.governance.requiredApprovals) throw conflict(`change request ${id} has ${valid} valid approvals; ${deps.governance.requiredApprovals} required`);
      const state = await loadPolicyState(tx);
      if (isStale(cr.bases, state)) throw new StaleChange();
      // Rollbacks restore a whole earlier state (its deployments included), so only changes are checked.
      const broken = cr.kind === "change" ? brokenDependencies(cr.writes, cr.bases, state) : [];
      if (broken.length > 0) throw new StaleChange(broken.join("; "));
      const policies = tenantPolicyWrites(cr.writes);
      for (const write of cr.writes) {
        if (write.entity === "tenantPolicy") await checkTenantPolicyWrite(tx, write.id, write.value as unknown as TenantPolicyValue | null, policies);
        await applyWrite(tx, write);
      }
      let applied: ChangeRequestRow | null = null;
      return {
        get result() {
          return applied!;
        },
        audit: { action: "change.apply", target: id, before: null, after: { diff: cr.diff, approvals: approvals.map((a) => a.approver) } },
        onVersion: async (inner, version) => {
          applied = await setChangeStatus(inner, id, "applied", null, null, version);
        },
      };
    });
  } catch (error) {
    if (!(error instanceof StaleChange)) throw error;
    const why = error.message || "its targets changed since it was proposed";
    await runAudited(deps.sql, who, async (tx) => {
      await setChangeStatus(tx, id, "stale", null, error.message ? `dependency changed underneath: ${why}` : "configuration changed underneath");
      return { result: null, audit: { action: "change.stale", target: id, after: { reason: why } } };
    });
    throw conflict(`change request ${id} is stale: ${why}; propose it again`);
  }
}

export async function approveChange(ctx: GraphQLContext, id: string): Promise<ChangeRequestRow> {
  let markedStale = false;
  const cr = await runAudited(ctx.deps.sql, ctx.who, async (tx) => {
    const cr = await requireVisible(ctx, tx, id, true);
    if (await approvalIsAuthors(tx, cr.author, ctx.principal.id, ctx.principal.jti)) throw selfApproval();
    if (cr.status === "stale") throw conflict(`change request ${id} is stale; propose it again`);
    if (!(OPEN_STATUSES as readonly string[]).includes(cr.status)) throw conflict(`change request ${id} is ${cr.status}`);
    const state = await loadPolicyState(tx);
    if (isStale(cr.bases, state) || (cr.kind === "change" && brokenDependencies(cr.writes, cr.bases, state).length > 0)) {
      markedStale = true;
      const after = await setChangeStatus(tx, id, "stale", null, "configuration changed underneath");
      return { result: after, audit: { action: "change.stale", target: id } };
    }
    if (!(await insertApproval(tx, id, ctx.principal.id, ctx.principal.jti))) throw conflict(`you already approved change request ${id}`);
    const count = (await independentApprovals(tx, cr.author, await approvalsFor(tx, [id]))).length;
    let status = cr.status;
    if (count >= ctx.deps.governance.requiredApprovals) status = cr.applyAt && cr.applyAt.getTime() > Date.now() ? "scheduled" : "approved";
    const after = status === cr.status ? cr : await setChangeStatus(tx, id, status, ctx.principal.id);
    return { result: after, audit: { action: "change.approve", target: id, after: { approvals: count, status } } };
  });
  if (markedStale) throw conflict(`change request ${id} is stale: its targets (or the deployments it routes to) changed since it was proposed; propose it again`);
  if (cr.status !== "approved") return cr;
  try {
    return await applyChangeRequest(ctx.deps, id, ctx.who);
  } catch (error) {
    // Two last approvals racing: the other one applied it; this approval still counted.
    const now = await findChangeRequest(ctx.deps.sql, id);
    if (now?.status === "applied") return now;
    throw error;
  }
}

export async function rejectChange(ctx: GraphQLContext, id: string, reason: string | null): Promise<ChangeRequestRow> {
  return runAudited(ctx.deps.sql, ctx.who, async (tx) => {
    const cr = await requireVisible(ctx, tx, id, true);
    if (!(OPEN_STATUSES as readonly string[]).includes(cr.status)) throw conflict(`change request ${id} is ${cr.status}`);
    const after = await setChangeStatus(tx, id, "rejected", ctx.principal.id, reason?.slice(0, 1000) ?? null);
    return { result: after, audit: { action: "change.reject", target: id, after: { reason } } };
  });
}

export async function withdrawChange(ctx: GraphQLContext, id: string): Promise<ChangeRequestRow> {
  return runAudited(ctx.deps.sql, ctx.who, async (tx) => {
    const cr = await requireVisible(ctx, tx, id, true);
    if (cr.author !== ctx.principal.id && !hasRole(ctx.principal, "admin")) throw forbidden("only the author can withdraw a change request");
    if (!(OPEN_STATUSES as readonly string[]).includes(cr.status)) throw conflict(`change request ${id} is ${cr.status}`);
    const after = await setChangeStatus(tx, id, "withdrawn", ctx.principal.id);
    return { result: after, audit: { action: "change.withdraw", target: id } };
  });
}
