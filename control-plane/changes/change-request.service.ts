/**
 * Propose → approve → apply. A proposal stores its writes, the base value of every target and the
 * diff; approvals come from someone other than the author; when enough are in, the request applies
 * as one config version, in the transaction of its last approval. A request that no longer fits the
 * configuration (its targets moved, a deployment it routes to went away, it would route an alias to an
 * unpriced model, its tenant policy would now widen, it would set a plain http vendor URL this control plane
 * refuses) is refused, never merged: it goes stale (CONFLICT, audited, must be re-proposed). Approvals
 * are re-checked inside the applying transaction; a scheduled request whose approvals stopped
 * counting goes stale the same way.
 */
import { GraphQLError } from "graphql";
import { GraphQLCode } from "../../shared/errors/graphql-codes.ts";
import { newId } from "../../shared/ids.ts";
import { appendAudit } from "../audit/audit.repo.ts";
import { runAudited, toAuditActor } from "../audit/run-audited.ts";
import { inConfigLock, inConfigLockAs } from "../audit/config-lock.ts";
import { auditedBy, type AuditActor } from "../audit/audit-actor.ts";
import { forbidden, visibleTenants } from "../auth/access.ts";
import { TENANT_READERS } from "../auth/field-policy.ts";
import { hasRole } from "../auth/principal.ts";
import type { Queryable, Tx } from "../db/client.ts";
import type { AppDeps, GraphQLContext } from "../graphql/context.ts";
import { badInput, conflict, notFound } from "../graphql/errors.ts";
import { requireText } from "../graphql/validate.ts";
import { configChangeLocked } from "../snapshots/config-change.ts";
import { buildWrites, tenantPolicyConflict } from "./build-writes.ts";
import {
  approvalsFor,
  findChangeRequest,
  insertApproval,
  insertChangeRequest,
  isStale,
  OPEN_STATUSES,
  setChangeStatus,
  TENANT_ENTITIES,
  type ApprovalRow,
  type ChangeRequestRow,
} from "./change-request.repo.ts";
import type { ProposeChangeInput } from "./change-request.type.ts";
import { isAuthorsApproval, partiesOnce, type PartiesOf } from "./approval-is-authors.ts";
import { onePerPerson, sameApproverAs } from "./one-approval-per-person.ts";
import { approvalsThatCount, mayStillApprove } from "./approvals-that-count.ts";
import { authorTokenRevoked, PROPOSED_WITH_REVOKED_TOKEN } from "./proposed-with-revoked-token.ts";
import { currentValue, dependencyBases, diffEntity, writesBetween } from "./policy-state.ts";
import { requestBrokenDependencies } from "./request-broken-dependencies.ts";
import { findConfigState, applyWrite, loadPolicyState } from "./policy-state.repo.ts";
import { truncateText } from "../audit/audit-text.ts";
import { maskedText } from "../graphql/quoted-value.ts";
import { newUnpricedRoutes, unpricedRoutesMessage, withWrites } from "./unpriced-routes.ts";
import { newPlaintextBaseUrls, plaintextBaseUrlsMessage } from "./plaintext-base-urls.ts";

function selfApproval(): GraphQLError {
  return new GraphQLError("the author of a change request cannot approve it, nor can a principal or token the author set up, nor anyone who set up the author or the token it proposed with, nor anyone whose token shares an issuer, up its chain of tokens, with the token it was proposed with", { extensions: { code: GraphQLCode.SELF_APPROVAL } });
}

function sameApproverMessage(id: string): string {
  return `an earlier approval of change request ${id} was given by a principal or token you stand behind, or that stands behind you or your token, or with a token whose issuer chain shares someone with yours: one person approves once`;
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
export async function canSee(ctx: GraphQLContext, cr: ChangeRequestRow, q: Queryable = ctx.deps.sql): Promise<boolean> {
  const visible = await visibleTenants(ctx, TENANT_READERS, q);
  if (visible === null) return true;
  return cr.writes.length > 0 && cr.writes.every((w) => TENANT_ENTITIES.includes(w.entity) && visible.has(w.id));
}

async function requireVisible(ctx: GraphQLContext, q: Queryable, id: string, forUpdate = false): Promise<ChangeRequestRow> {
  const cr = await findChangeRequest(q, id, forUpdate);
  if (!cr || !(await canSee(ctx, cr, q))) throw notFound("change request", id);
  return cr;
}

function checkApplyAt(applyAt: Date | null | undefined): Date | null {
  if (!applyAt) return null;
  if (Number.isNaN(applyAt.getTime())) throw badInput("applyAt", "is not a valid time");
  if (applyAt.getTime() > Date.now() + 366 * 86_400_000) throw badInput("applyAt", "must be within a year");
  return applyAt;
}

/** How long a proposal's description may be, on the request and in its audit row. */
const MAX_DESCRIPTION = 1000;

export async function proposeChange(ctx: GraphQLContext, input: ProposeChangeInput): Promise<ChangeRequestRow> {
  const description = requireText("description", input.description, MAX_DESCRIPTION);
  const applyAt = checkApplyAt(input.applyAt);
  return runAudited(ctx.deps.sql, ctx.who, async (tx) => {
    const state = await loadPolicyState(tx);
    const built = await buildWrites(tx, ctx, state, input.operations);
    const cr = await insertChangeRequest(tx, {
      id: newId("chg"),
      author: ctx.principal.id,
      authorJti: ctx.principal.jti,
      status: "pending",
      description,
      kind: "change",
      ...built,
      baseVersion: await configVersion(tx),
      applyAt,
    });
    // The request keeps the description as sent (an ordinary row, which an operator can redact); the
    // append-only audit row masks any secret-shaped word in it, as refusal rows do, within the same 1,000 characters.
    return { result: cr, audit: { action: "change.propose", target: cr.id, after: { description: maskedText(description, MAX_DESCRIPTION), diff: cr.diff, applyAt } } };
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
    // Old values are re-checked as new ones are: the tree as it is now, time zones as accepted today.
    const policy = await tenantPolicyConflict(tx, writes);
    if (policy) throw badInput("toVersion", `version ${toVersion} does not fit the tenant tree now: ${policy}`);
    const after = withWrites(current, writes);
    const unpriced = newUnpricedRoutes(current, after);
    if (unpriced.length > 0) throw badInput("toVersion", `version ${toVersion} would leave a routed model unpriced: ${unpricedRoutesMessage(unpriced)}`);
    const plaintext = ctx.deps.allowPlaintextVendorUrls ? [] : newPlaintextBaseUrls(current, after);
    if (plaintext.length > 0) throw badInput("toVersion", `version ${toVersion} would put back a plaintext vendor URL: ${plaintextBaseUrlsMessage(plaintext)}`);
    const targetBases = writes.map((w) => ({ entity: w.entity, id: w.id, value: currentValue(current, w.entity, w.id) }));
    const diff = writes.flatMap((w, i) => diffEntity(w.entity, w.id, targetBases[i]!.value, w.value));
    // What it puts back into a chain is checked as a change's is (brokenDependencies), against its value now.
    const bases = [...targetBases, ...dependencyBases(writes, targetBases, current)];
    const cr = await insertChangeRequest(tx, {
      id: newId("chg"),
      author: ctx.principal.id,
      authorJti: ctx.principal.jti,
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

/**
 * How many approvals count: of those that still count (`approvalsThatCount`: not the author's own, not
 * given with a token revoked since, by someone who still holds `approver`/`admin`), one per person
 * (`onePerPerson`: of two approvals that are one person's, the first; one person's when either
 * approver, with its token, stands behind the other, or one party issued, up the token chains, both
 * tokens they approved with: `isAuthorsApproval`). An approval that no longer counts is dropped before
 * pairing, so it shadows no one. `parties` is the operation's (partiesOnce): an approve or apply asks
 * this more than once of the same acts.
 */
async function countedApprovals(tx: Tx, parties: PartiesOf, cr: ChangeRequestRow, approvals: readonly ApprovalRow[]): Promise<ApprovalRow[]> {
  return onePerPerson(parties, await approvalsThatCount(tx, parties, cr, approvals));
}

async function validApprovals(tx: Tx, parties: PartiesOf, cr: ChangeRequestRow): Promise<number> {
  return (await countedApprovals(tx, parties, cr, await approvalsFor(tx, [cr.id]))).length;
}

/**
 * Why the request no longer fits the current configuration — the token it was proposed with was revoked, its targets moved, a deployment it routes
 * to went away, its tenant policy would now widen an ancestor (or leave a descendant wider), it would set a
 * plain http baseUrl to a public host and this control plane does not `allowPlaintext` — or null.
 * Such a request is refused, never merged: it goes stale and must be proposed again.
 */
async function conflictWithState(tx: Tx, cr: ChangeRequestRow, allowPlaintext: boolean): Promise<string | null> {
  // revokeToken marks these stale; checked again here for one that escaped the marking.
  if (await authorTokenRevoked(tx, cr)) return `${PROPOSED_WITH_REVOKED_TOKEN} (${cr.authorJti})`;
  const state = await loadPolicyState(tx);
  if (isStale(cr.bases, state)) return "its targets changed since it was proposed";
  const broken = await requestBrokenDependencies(cr, state, (version) => findConfigState(tx, version));
  if (broken.length > 0) return `dependency changed underneath: ${broken.join("; ")}`;
  // A price deleted, or an alias routed to a deployment, since it was proposed: checked on the state it would apply to.
  const after = withWrites(state, cr.writes);
  const unpriced = newUnpricedRoutes(state, after);
  if (unpriced.length > 0) return `it would leave a routed model unpriced: ${unpricedRoutesMessage(unpriced)}`;
  // Proposed on a control plane with ALLOW_PLAINTEXT_VENDOR_URLS=true, applied on one without it.
  const plaintext = allowPlaintext ? [] : newPlaintextBaseUrls(state, after);
  if (plaintext.length > 0) return `it would send a vendor credential in plaintext: ${plaintextBaseUrlsMessage(plaintext)}`;
  const policy = await tenantPolicyConflict(tx, cr.writes);
  return policy ? `tenant policy no longer fits: ${policy}` : null;
}

/** Marks the request stale with its audit row, in the caller's transaction (which holds the config lock). */
async function markStale(tx: Tx, id: string, who: AuditActor, why: string): Promise<void> {
  await setChangeStatus(tx, id, "stale", null, truncateText(why, 1000));
  await appendAudit(tx, { action: "change.stale", target: id, after: { reason: why }, ...auditedBy(who) });
}

function staleError(id: string, why: string): GraphQLError {
  return conflict(`change request ${id} is stale: ${why}; propose it again`);
}

/**
 * Writes the request as one config version, in a transaction that holds the config lock and has
 * re-checked it (with `parties`, which this reads the approvals' parties through again).
 */
async function applyLocked(tx: Tx, deps: AppDeps, parties: PartiesOf, cr: ChangeRequestRow, who: AuditActor): Promise<ChangeRequestRow> {
  const approvals = await approvalsFor(tx, [cr.id]);
  // Who approved it: the approvals that counted; the rest (void, the author's own, a second by one person) apart.
  const counted = new Set((await countedApprovals(tx, parties, cr, approvals)).map((a) => a.approver));
  const approvers = { approvals: [...counted], notCounted: approvals.filter((a) => !counted.has(a.approver)).map((a) => a.approver) };
  return configChangeLocked(tx, deps, who, async (inner) => {
    for (const write of cr.writes) await applyWrite(inner, write);
    let applied: ChangeRequestRow | null = null;
    return {
      get result() {
        return applied!;
      },
      audit: { action: "change.apply", target: cr.id, before: null, after: { diff: cr.diff, ...approvers } },
      onVersion: async (tx2, version) => {
        applied = await setChangeStatus(tx2, cr.id, "applied", null, null, version);
      },
    };
  });
}

/**
 * Applies a due scheduled request (the ticker) as one config version. The approval rules and the fit
 * with the current configuration are re-checked in the same transaction; a request that fails them
 * (an approver lost the role, an approval's token was revoked, a target moved, its policy would now
 * widen) goes stale there, audited as `change.stale` with the reason, and is not tried again.
 */
export async function applyChangeRequest(deps: AppDeps, id: string, who: AuditActor): Promise<ChangeRequestRow> {
  let stale: string | null = null;
  const applied = await inConfigLock(deps.sql, async (tx) => {
    const cr = await findChangeRequest(tx, id, true);
    if (!cr) throw notFound("change request", id);
    if (cr.status !== "approved" && cr.status !== "scheduled") throw conflict(`change request ${id} is ${cr.status}`);
    // Who stands behind each act, read once for the count here and again in applyLocked.
    const parties = partiesOnce(tx);
    const valid = await validApprovals(tx, parties, cr);
    const required = deps.governance.requiredApprovals;
    stale = valid < required ? `approvals no longer hold: ${valid} valid, ${required} required` : await conflictWithState(tx, cr, deps.allowPlaintextVendorUrls);
    if (stale) {
      await markStale(tx, id, who, stale);
      return null;
    }
    return applyLocked(tx, deps, parties, cr, who);
  });
  if (stale) throw staleError(id, stale);
  return applied!;
}

/**
 * One transaction under the config lock: the checks, the approval with its `change.approve` row and,
 * when it is the last one needed and not scheduled, the apply. Either all of it commits or nothing
 * does; a request that no longer fits the configuration is marked stale instead (audited), and the
 * approval is refused with CONFLICT.
 */
export async function approveChange(ctx: GraphQLContext, id: string): Promise<ChangeRequestRow> {
  const who = toAuditActor(ctx.who);
  let stale: string | null = null;
  const result = await inConfigLockAs(ctx.deps.sql, who, async (tx) => {
    const cr = await requireVisible(ctx, tx, id, true);
    // Who stands behind each act (the author's, every approval's), read once for all the checks below.
    const parties = partiesOnce(tx);
    if (await isAuthorsApproval(parties, cr, ctx.principal.id, ctx.principal.jti)) throw selfApproval();
    // Its role let it call approveChange; what it may not be is a service (a bot), which would count for nobody.
    if (!(await mayStillApprove(tx, ctx.principal.id))) throw forbidden("only a person may approve: a service principal is no independent reviewer");
    if (cr.status === "stale") throw staleError(id, cr.reason ?? "configuration changed underneath");
    if (!(OPEN_STATUSES as readonly string[]).includes(cr.status)) throw conflict(`change request ${id} is ${cr.status}`);
    stale = await conflictWithState(tx, cr, ctx.deps.allowPlaintextVendorUrls);
    if (stale) {
      await markStale(tx, id, who, stale);
      return null;
    }
    // Only earlier approvals that still count pair with this one: a void one, or one whose approver lost the role, blocks no one.
    const earlier = await sameApproverAs(parties, await approvalsThatCount(tx, parties, cr, await approvalsFor(tx, [id])), ctx.principal.id, ctx.principal.jti);
    if (earlier) throw conflict(earlier.approver === ctx.principal.id ? `you already approved change request ${id}` : sameApproverMessage(id));
    if (!(await insertApproval(tx, id, ctx.principal.id, ctx.principal.jti))) throw conflict(`you already approved change request ${id}`);
    // Counted as applying counts them: an earlier approver who lost the role, or whose token was revoked, leaves the request pending.
    const valid = await validApprovals(tx, parties, cr);
    let status = cr.status;
    if (valid >= ctx.deps.governance.requiredApprovals) status = cr.applyAt && cr.applyAt.getTime() > Date.now() ? "scheduled" : "approved";
    const after = status === cr.status ? cr : await setChangeStatus(tx, id, status, ctx.principal.id);
    await appendAudit(tx, { action: "change.approve", target: id, after: { approvals: valid, status }, ...auditedBy(who) });
    return status === "approved" ? applyLocked(tx, ctx.deps, parties, after, who) : after;
  });
  if (stale) throw staleError(id, stale);
  return result!;
}

/** How much of a rejection's reason the request and its audit row keep. */
const MAX_REJECT_REASON = 1000;

export async function rejectChange(ctx: GraphQLContext, id: string, reason: string | null): Promise<ChangeRequestRow> {
  return runAudited(ctx.deps.sql, ctx.who, async (tx) => {
    const cr = await requireVisible(ctx, tx, id, true);
    if (!(OPEN_STATUSES as readonly string[]).includes(cr.status)) throw conflict(`change request ${id} is ${cr.status}`);
    const kept = reason === undefined || reason === null ? null : truncateText(reason, MAX_REJECT_REASON);
    const after = await setChangeStatus(tx, id, "rejected", ctx.principal.id, kept);
    // The audit row keeps the request's cut reason, masked within the same bound.
    return { result: after, audit: { action: "change.reject", target: id, after: { reason: kept === null ? reason : maskedText(kept, MAX_REJECT_REASON) } } };
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
