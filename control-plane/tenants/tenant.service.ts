/**
 * Tenant rules: names unique among siblings (so a refusal says nothing outside the caller's subtree); a tree at most four levels deep with no cycles; a tenant admin creates
 * and moves tenants only inside its subtree. Every change audited and published.
 */
import { newId } from "../../shared/ids.ts";
import { forbidden, requireTenantInScope, subtreeIds } from "../auth/access.ts";
import { toAuditActor } from "../audit/run-audited.ts";
import { markMovedSubtreeStale, type MovedTree } from "../changes/stale-moved-subtree.ts";
import { hasRole } from "../auth/principal.ts";
import type { Queryable } from "../db/client.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput, conflict, notFound } from "../graphql/errors.ts";
import { requireText } from "../graphql/validate.ts";
import { runConfigChange } from "../snapshots/config-change.ts";
import type { TenantPolicyValue } from "../changes/policy-state.ts";
import type { CreateTenantInput } from "./tenant.input.ts";
import { ancestorsOf, findTenant, findSiblingByName, insertTenant, setParent, subtreeHeight } from "./tenant.repo.ts";
import { checkSubtreeNarrowing, moveWidenings } from "./check-subtree.ts";
import { MAX_DEPTH, TENANT_KINDS, type AncestorPolicy } from "./tenant-policy.ts";
import type { Tenant } from "./tenant.type.ts";

const micros = (usd: number | null): number | null => (usd === null ? null : Math.round(usd * 1_000_000));

/** A tenant row's own policy in stored units. */
export function policyOfTenant(t: Tenant): TenantPolicyValue {
  return {
    rpm: t.rpm,
    tpm: t.tpm,
    dailyBudgetMicros: micros(t.dailyBudgetUsd),
    monthlyBudgetMicros: micros(t.monthlyBudgetUsd),
    allowedAliases: t.allowedAliases,
    allowedJurisdictions: t.allowedJurisdictions,
    timeZone: t.timeZone,
    keyTtlDays: t.keyTtlDays,
    budgetFailOpen: t.budgetFailOpen,
    featureLimits: t.featureLimits,
  };
}

/** The ancestors' policies, nearest first; `selfAndAbove` includes the tenant itself first. */
export async function ancestorPolicies(q: Queryable, tenantId: string, selfAndAbove = false): Promise<AncestorPolicy[]> {
  const above = (await ancestorsOf(q, tenantId)).map((t) => ({ id: t.id, policy: policyOfTenant(t) }));
  if (!selfAndAbove) return above;
  const self = await findTenant(q, tenantId);
  return self ? [{ id: self.id, policy: policyOfTenant(self) }, ...above] : above;
}

function defaultKind(parent: Tenant | null): string {
  if (!parent) return "organization";
  return parent.kind === "organization" ? "team" : "project";
}

/**
 * null (a root tenant) or a non-empty id. "" used to slip past the `if (parentId)` checks as "no
 * parent" while still being written as parent_id: a foreign key violation, INTERNAL_SERVER_ERROR.
 */
function parentIdOf(parentId: string | null | undefined): string | null {
  if (parentId === undefined || parentId === null) return null;
  if (parentId.trim() === "") throw badInput("parentId", "must be a tenant id, or null for a root tenant");
  return parentId;
}

export async function createTenant(ctx: GraphQLContext, input: CreateTenantInput): Promise<Tenant> {
  const name = requireText("name", input.name, 100);
  const parentId = parentIdOf(input.parentId);
  if (input.kind !== undefined && input.kind !== null && !(TENANT_KINDS as readonly string[]).includes(input.kind)) {
    throw badInput("kind", `must be one of ${TENANT_KINDS.join(", ")}`);
  }
  // A tenant admin may only add below its subtree; a new root is an admin's call.
  return runConfigChange(ctx.deps, ctx.who, async (tx) => {
    // Under the lock: the roles as they are once it is held (auth/still-allowed.ts).
    if (!parentId && !hasRole(ctx.principal, "admin")) throw badInput("parentId", "is required: a tenant admin creates tenants inside its subtree");
    let parent: Tenant | null = null;
    if (parentId) {
      await requireTenantInScope(ctx, tx, parentId);
      parent = await findTenant(tx, parentId);
      if (!parent) throw notFound("tenant", parentId);
      const depth = (await ancestorsOf(tx, parentId)).length + 2;
      if (depth > MAX_DEPTH) throw badInput("parentId", `the tree would be ${depth} levels deep; at most ${MAX_DEPTH} are allowed`);
    }
    if (await findSiblingByName(tx, parentId, name)) throw conflict(`a tenant named ${name} already exists ${parentId ? `under ${parentId}` : "among the root tenants"}`);
    const tenant = await insertTenant(tx, { id: newId("ten"), name, kind: input.kind ?? defaultKind(parent), parentId });
    return { result: tenant, audit: { action: "tenant.create", target: tenant.id, after: tenant } };
  });
}

/**
 * Re-parents a tenant (null makes it a root, admin only); refuses cycles, depth > 4 and widening: the
 * moved subtree must narrow its new ancestors, and no tenant in it may end up held to less than before
 * (FORBIDDEN, for everyone: tenant policy widens only through review). Open requests setting the policy
 * or status of a tenant in the moved subtree, or widening one of its new ancestors, go stale
 * (changes/stale-moved-subtree.ts).
 */
/** The moved tenant's subtree and, as they are now, its ancestors (call after setParent). */
async function movedTree(tx: Queryable, id: string): Promise<MovedTree> {
  const ancestors = (await ancestorsOf(tx, id)).map((a) => ({ id: a.id, policy: policyOfTenant(a), disabled: a.status === "disabled" }));
  return { subtree: await subtreeIds(tx, [id]), ancestors };
}

export async function moveTenant(ctx: GraphQLContext, id: string, parentIdArg: string | null): Promise<Tenant> {
  const parentId = parentIdOf(parentIdArg);
  return runConfigChange(ctx.deps, ctx.who, async (tx) => {
    if (!parentId && !hasRole(ctx.principal, "admin")) throw badInput("parentId", "is required: only an admin makes a root tenant");
    await requireTenantInScope(ctx, tx, id);
    const before = await findTenant(tx, id);
    if (!before) throw notFound("tenant", id);
    // A tenant admin must not move the root of its own scope: that would move it out of reach.
    if (!hasRole(ctx.principal, "admin") && ctx.principal.tenantRoots.includes(id)) throw notFound("tenant", id);
    if (parentId) {
      await requireTenantInScope(ctx, tx, parentId);
      const parent = await findTenant(tx, parentId);
      if (!parent) throw notFound("tenant", parentId);
      const above = await ancestorsOf(tx, parentId);
      if (parentId === id || above.some((a) => a.id === id)) throw badInput("parentId", `${parentId} is inside ${id}'s subtree: the move would make a cycle`);
      const depth = above.length + 2 + (await subtreeHeight(tx, id));
      if (depth > MAX_DEPTH) throw badInput("parentId", `the tree would be ${depth} levels deep; at most ${MAX_DEPTH} are allowed`);
      // The moved tenant and everything under it must narrow the new ancestors.
      await checkSubtreeNarrowing(tx, id, { parents: { [id]: parentId } });
    }
    const clash = await findSiblingByName(tx, parentId, before.name);
    if (clash && clash.id !== id) throw conflict(`a tenant named ${before.name} already exists ${parentId ? `under ${parentId}` : "among the root tenants"}`);
    const wider = await moveWidenings(tx, id, parentId);
    if (wider.length > 0) {
      throw forbidden(
        `moving ${id} ${parentId ? `under ${parentId}` : "to the top level"} would widen the effective policy of its subtree without review (${wider.join("; ")}). ` +
          "Tenant policy widens only through a reviewed change: pin what it inherits on the moved tenant with a tenant.policy change (proposeChange) " +
          "— or kill-switch it before moving it out from under a disabled ancestor — then move it, and widen it afterwards with tenant.policy or tenant.enable",
      );
    }
    const after = await setParent(tx, id, parentId);
    // Open tenant.policy/status requests in the moved subtree were reviewed under the old ancestors,
    // and widenings of its new ancestors while it was not under them.
    const moved = before.parentId === parentId ? { subtree: new Set<string>(), ancestors: [] } : await movedTree(tx, id);
    const move = `${id} moved from ${before.parentId ?? "the top level"} to ${parentId ?? "the top level"}`;
    return {
      result: after,
      audit: { action: "tenant.move", target: id, before: { parentId: before.parentId }, after: { parentId } },
      // After the move's own audit row, so each change.stale follows the act that caused it.
      onVersion: (inner) => markMovedSubtreeStale(inner, moved, toAuditActor(ctx.who), move),
    };
  });
}
