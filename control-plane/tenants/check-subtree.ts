/**
 * "Never widen" over a whole subtree: after a policy change or a move, every tenant under the changed
 * one (itself included) must still narrow each of its ancestors. Checking only the changed tenant
 * against its ancestors misses a parent narrowed below its children and a subtree moved under a
 * tighter parent. `overrides` describe the change before it is written (policies, new parents).
 */
import { GraphQLError } from "graphql";
import type { Queryable } from "../db/client.ts";
import { EMPTY_TENANT_POLICY, type TenantPolicyValue } from "../changes/policy-state.ts";
import { allTenants } from "./tenant.repo.ts";
import { policyOfTenant } from "./tenant.service.ts";
import { checkNarrowing, type AncestorPolicy } from "./tenant-policy.ts";

export interface SubtreeOverrides {
  policies?: Record<string, TenantPolicyValue | null>;
  parents?: Record<string, string | null>;
}

/** Throws BAD_USER_INPUT naming the field, the descendant and the ancestor when any tenant widens. */
export async function checkSubtreeNarrowing(q: Queryable, rootId: string, overrides: SubtreeOverrides = {}): Promise<void> {
  const tenants = await allTenants(q);
  const parent = new Map(tenants.map((t) => [t.id, t.parentId ?? null]));
  const policy = new Map(tenants.map((t) => [t.id, policyOfTenant(t)]));
  for (const [id, p] of Object.entries(overrides.parents ?? {})) parent.set(id, p);
  for (const [id, p] of Object.entries(overrides.policies ?? {})) policy.set(id, p ?? EMPTY_TENANT_POLICY);
  const children = new Map<string, string[]>();
  for (const [id, p] of parent) if (p) children.set(p, [...(children.get(p) ?? []), id]);
  const queue = [rootId];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const ancestors: AncestorPolicy[] = [];
    for (let a = parent.get(id) ?? null; a && ancestors.length < 64; a = parent.get(a) ?? null) ancestors.push({ id: a, policy: policy.get(a) ?? EMPTY_TENANT_POLICY });
    try {
      checkNarrowing(policy.get(id) ?? EMPTY_TENANT_POLICY, ancestors);
    } catch (error) {
      if (id === rootId || !(error instanceof GraphQLError)) throw error;
      throw new GraphQLError(`${error.message} (descendant ${id} of ${rootId}; narrow it first)`, { extensions: error.extensions });
    }
    queue.push(...(children.get(id) ?? []));
  }
}
