/**
 * Principals, role bindings and admin tokens: admin-only (but a principal may issue its own token:
 * who-may-issue.ts, until its lineage ends: token-lineage.ts), every change audited.
 */
import { newId } from "../../shared/ids.ts";
import { runAudited, toAuditActor } from "../audit/run-audited.ts";
import { appendAudit } from "../audit/audit.repo.ts";
import { auditedBy } from "../audit/audit-actor.ts";
import { inConfigLockAs } from "../audit/config-lock.ts";
import { markProposedWithStale } from "../changes/proposed-with-revoked-token.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput, conflict, notFound } from "../graphql/errors.ts";
import { requireText } from "../graphql/validate.ts";
import { findTenant } from "../tenants/tenant.repo.ts";
import { MAX_TOKEN_TTL_SECONDS, signAdminJwt } from "./jwt.ts";
import { revokeMintedTokens } from "./revoke-minted-tokens.ts";
import { placeInLineage } from "./token-lineage.ts";
import { checkMayIssueFor } from "./who-may-issue.ts";
import { ROLES, type Role } from "./principal.ts";
import {
  bindingsFor,
  deleteBinding,
  findIssuedToken,
  findPrincipal,
  findPrincipalByName,
  insertBinding,
  insertIssuedToken,
  insertPrincipal,
  markTokenRevoked,
  type PrincipalRow,
  type Provenance,
} from "./principal.repo.ts";
import type { CreatePrincipalInput, IssuedToken, IssueTokenInput, PrincipalInfo, RevokedToken, RoleBindingInput } from "./principal.type.ts";
import type { Queryable, Tx } from "../db/client.ts";

/** Recorded on principals, grants and tokens: an approval traced back to the author is the author's own. */
function actingAs(ctx: GraphQLContext): Provenance {
  return { by: ctx.principal.id, with: ctx.principal.jti };
}

export async function withRoles(q: Queryable, rows: PrincipalRow[]): Promise<PrincipalInfo[]> {
  const bindings = await bindingsFor(q, rows.map((r) => r.id));
  return rows.map((r) => ({ ...r, roles: bindings.filter((b) => b.principalId === r.id).map((b) => ({ role: b.role, tenantId: b.tenantId })) }));
}

export async function createPrincipal(ctx: GraphQLContext, input: CreatePrincipalInput): Promise<PrincipalInfo> {
  const name = requireText("name", input.name, 100);
  if (input.kind !== "person" && input.kind !== "service") throw badInput("kind", "must be person or service");
  return runAudited(ctx.deps.sql, ctx.who, async (tx) => {
    if (await findPrincipalByName(tx, name)) throw conflict(`a principal named ${name} already exists`);
    const row = await insertPrincipal(tx, { id: newId("prn"), name, kind: input.kind }, actingAs(ctx));
    return { result: { ...row, roles: [] }, audit: { action: "principal.create", target: row.id, after: row } };
  });
}

function checkBinding(input: RoleBindingInput): { role: Role; tenantId: string | null } {
  if (!(ROLES as readonly string[]).includes(input.role)) throw badInput("role", `must be one of ${ROLES.join(", ")}`);
  const role = input.role as Role;
  const tenantId = input.tenantId ?? null;
  if (role === "tenant_admin" && !tenantId) throw badInput("tenantId", "is required for tenant_admin");
  if (role !== "tenant_admin" && tenantId) throw badInput("tenantId", `must be omitted for the global role ${role}`);
  return { role, tenantId };
}

export async function grantRole(ctx: GraphQLContext, input: RoleBindingInput): Promise<PrincipalInfo> {
  const { role, tenantId } = checkBinding(input);
  return runAudited(ctx.deps.sql, ctx.who, async (tx) => {
    const principal = await findPrincipal(tx, input.principalId);
    if (!principal) throw notFound("principal", input.principalId);
    if (tenantId && !(await findTenant(tx, tenantId))) throw notFound("tenant", tenantId);
    await insertBinding(tx, { principalId: principal.id, role, tenantId }, actingAs(ctx));
    const [info] = await withRoles(tx, [principal]);
    return { result: info!, audit: { action: "principal.grant", target: principal.id, after: { role, tenantId } } };
  });
}

export async function revokeRole(ctx: GraphQLContext, input: RoleBindingInput): Promise<PrincipalInfo> {
  const { role, tenantId } = checkBinding(input);
  return runAudited(ctx.deps.sql, ctx.who, async (tx) => {
    const principal = await findPrincipal(tx, input.principalId);
    if (!principal) throw notFound("principal", input.principalId);
    if (!(await deleteBinding(tx, { principalId: principal.id, role, tenantId }))) throw notFound("role binding", `${role}${tenantId ? `@${tenantId}` : ""}`);
    const [info] = await withRoles(tx, [principal]);
    return { result: info!, audit: { action: "principal.revokeRole", target: principal.id, before: { role, tenantId } } };
  });
}

export async function issueToken(ctx: GraphQLContext, input: IssueTokenInput): Promise<IssuedToken> {
  if (!Number.isInteger(input.ttlSeconds) || input.ttlSeconds < 1 || input.ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
    throw badInput("ttlSeconds", `must be an integer between 1 and ${MAX_TOKEN_TTL_SECONDS}`);
  }
  return runAudited(ctx.deps.sql, ctx.who, async (tx) => {
    // Checked before the target is read: a missing principal still answers FORBIDDEN to whoever may
    // not issue for others, so ids cannot be probed.
    checkMayIssueFor(ctx.principal, input.principalId);
    const principalId = await activePrincipalId(tx, ctx, input.principalId);
    const now = new Date();
    const lineage = placeInLineage(ctx.principal, principalId, input.ttlSeconds, now, ctx.deps.governance.adminJwtMaxLineageHours);
    const jti = newId("jti");
    const { token, expiresAt } = await signAdminJwt(ctx.deps.tokenSecret, principalId, jti, lineage.ttlSeconds, now);
    await insertIssuedToken(tx, { jti, principalId, expiresAt, lineageStartedAt: lineage.startedAt }, actingAs(ctx));
    const after = { jti, expiresAt, lineageStartedAt: lineage.startedAt };
    return { result: { token, jti, expiresAt }, audit: { action: "token.issue", target: principalId, after } };
  });
}

/**
 * `principalId` when it names an active principal, read under the lock; NOT_FOUND or CONFLICT else.
 * A caller issuing for itself with a token is not read again: the lock's re-authentication
 * (still-allowed.ts) has just found its token live and its principal active, in one statement.
 */
async function activePrincipalId(tx: Tx, ctx: GraphQLContext, principalId: string): Promise<string> {
  if (principalId === ctx.principal.id && ctx.principal.jti !== null) return principalId;
  const principal = await findPrincipal(tx, principalId);
  if (!principal) throw notFound("principal", principalId);
  if (principal.status !== "active") throw conflict(`principal ${principal.id} is disabled`);
  return principal.id;
}

/**
 * Revokes at once, with every token minted with it (revoke-minted-tokens.ts). What was done with the
 * token (a stolen one) and with those is void: their approvals stop counting
 * (changes/approvals-with-live-tokens.ts) and their open proposals go stale, each audited as
 * `change.stale` after its token's `token.revoke` row.
 */
export async function revokeToken(ctx: GraphQLContext, jti: string): Promise<RevokedToken> {
  const who = toAuditActor(ctx.who);
  return inConfigLockAs(ctx.deps.sql, who, async (tx) => {
    const before = await findIssuedToken(tx, jti);
    if (!before) throw notFound("token", jti);
    const after = await markTokenRevoked(tx, jti);
    await appendAudit(tx, { action: "token.revoke", target: jti, before, after, ...auditedBy(who) });
    await markProposedWithStale(tx, jti, who);
    await revokeMintedTokens(tx, jti, who);
    return { jti, revokedAt: after.revokedAt! };
  });
}
