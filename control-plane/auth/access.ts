/**
 * Guards every service uses. Roles are checked per root field by the authorize middleware; here the
 * tenant scope is enforced, from the same roles: a principal reaches every tenant only through a
 * global role the field grants, a tenant admin only its subtree, and anything outside it answers
 * NOT_FOUND exactly as a missing object would, so ids cannot be probed.
 */
import { GraphQLError } from "graphql";
import { GraphQLCode } from "../../shared/errors/graphql-codes.ts";
import type { Queryable } from "../db/client.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { notFound } from "../graphql/errors.ts";
import { seesAllTenants, hasRole, type Role } from "./principal.ts";

export function forbidden(message = "not allowed"): GraphQLError {
  return new GraphQLError(message, { extensions: { code: GraphQLCode.FORBIDDEN } });
}

export function requireRole(ctx: GraphQLContext, ...roles: Role[]): void {
  if (!hasRole(ctx.principal, ...roles)) throw forbidden(`requires one of: ${roles.join(", ")}`);
}

/** Ids of every tenant in the given subtrees (roots included). */
export async function subtreeIds(q: Queryable, roots: readonly string[]): Promise<Set<string>> {
  if (roots.length === 0) return new Set();
  const rows = await q<{ id: string }[]>`
    with recursive sub(id) as (
      select id from tenants where id in ${q(roots as string[])}
      union select t.id from tenants t join sub on t.parent_id = sub.id
    ) select id from sub`;
  return new Set(rows.map((r) => r.id));
}

/**
 * The tenants this caller may see through a field granted to `readers` (its FIELD_POLICY roles);
 * null means all of them. All only for a global role among `readers`; else the tenant_admin subtrees
 * if `readers` grants tenant_admin; else none. The subtrees are computed once per request, on `q`:
 * inside a transaction, pass it (the pool may have no other connection free, and on the embedded
 * database it has only the one the transaction holds).
 *
 * @example const visible = await visibleTenants(ctx, SPEND_READERS);
 */
export async function visibleTenants(ctx: GraphQLContext, readers: readonly Role[], q: Queryable = ctx.deps.sql): Promise<Set<string> | null> {
  if (seesAllTenants(ctx.principal, readers)) return null;
  if (!readers.includes("tenant_admin")) return new Set();
  ctx.loaders.scope.visible ??= subtreeIds(q, ctx.principal.tenantRoots);
  return ctx.loaders.scope.visible;
}

/** NOT_FOUND unless the tenant lies in the caller's scope for a field granted to `readers`. */
export async function requireVisibleTenant(ctx: GraphQLContext, readers: readonly Role[], tenantId: string): Promise<void> {
  const visible = await visibleTenants(ctx, readers);
  if (visible !== null && !visible.has(tenantId)) throw notFound("tenant", tenantId);
}

/**
 * For writes by a tenant admin: the tenant must be in scope (checked inside the write's transaction
 * so a concurrent move cannot widen it). Global admins pass.
 */
export async function requireTenantInScope(ctx: GraphQLContext, q: Queryable, tenantId: string): Promise<void> {
  if (hasRole(ctx.principal, "admin")) return;
  const scope = await subtreeIds(q, ctx.principal.tenantRoots);
  if (!scope.has(tenantId)) throw notFound("tenant", tenantId);
}
