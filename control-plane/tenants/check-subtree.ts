/**
 * "Never widen" over a whole subtree: after a policy change or a move, every tenant under the changed
 * one (itself included) must still narrow each of its ancestors. Checking only the changed tenant
 * against its ancestors misses a parent narrowed below its children and a subtree moved under a
 * tighter parent. `overrides` describe the change before it is written (policies, new parents).
 *
 * A move also must not loosen what the moved subtree is held to (`moveWidenings`): what it inherited
 * from the ancestors it leaves is dropped by the move, unreviewed, unless the new ones hold it too.
 */
import { GraphQLError } from "graphql";
import type { Queryable } from "../db/client.ts";
import { EMPTY_TENANT_POLICY, emptyTable, ownEntry, type TenantPolicyValue } from "../changes/policy-state.ts";
import { allTenants } from "./tenant.repo.ts";
import { policyOfTenant } from "./tenant.service.ts";
import { checkNarrowing, LISTS, NUMERIC, publicName, publicValue, type AncestorPolicy } from "./tenant-policy.ts";
import type { Tenant } from "./tenant.type.ts";

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

/**
 * What a tenant is held to once everything above it is folded in: numbers the smallest any level of
 * its chain sets, lists the intersection, per-feature limits the smallest, `budgetFailOpen` the
 * nearest level that says (default false), and disabled when it or any ancestor is (kill switch).
 */
interface Effective {
  numbers: Record<(typeof NUMERIC)[number], number | null>;
  lists: Record<(typeof LISTS)[number], string[] | null>;
  features: Record<string, { rpm: number | null; tpm: number | null }>;
  failOpen: boolean;
  /** The tenant whose kill switch holds it, or null when it is active. */
  disabledBy: string | null;
}

function effectiveOf(id: string, parent: ReadonlyMap<string, string | null>, tenants: ReadonlyMap<string, Tenant>): Effective {
  const eff: Effective = {
    numbers: { rpm: null, tpm: null, dailyBudgetMicros: null, monthlyBudgetMicros: null, keyTtlDays: null },
    lists: { allowedAliases: null, allowedJurisdictions: null },
    features: emptyTable(),
    failOpen: false,
    disabledBy: null,
  };
  let failOpen: boolean | null = null;
  const seen = new Set<string>();
  for (let cur: string | null = id; cur && !seen.has(cur) && seen.size < 64; cur = parent.get(cur) ?? null) {
    seen.add(cur);
    const t = tenants.get(cur);
    if (!t) break;
    const p = policyOfTenant(t);
    for (const f of NUMERIC) {
      const v = p[f];
      if (v !== null && (eff.numbers[f] === null || v < eff.numbers[f]!)) eff.numbers[f] = v;
    }
    for (const f of LISTS) {
      const v = p[f];
      if (v !== null) eff.lists[f] = eff.lists[f] === null ? [...v].sort() : eff.lists[f]!.filter((x) => v.includes(x));
    }
    for (const [feature, limits] of Object.entries(p.featureLimits ?? {})) {
      const have = (eff.features[feature] ??= { rpm: null, tpm: null });
      for (const kind of ["rpm", "tpm"] as const) {
        const v = limits[kind];
        if (v !== null && v !== undefined && (have[kind] === null || v < have[kind]!)) have[kind] = v;
      }
    }
    if (failOpen === null && p.budgetFailOpen !== null && p.budgetFailOpen !== undefined) failOpen = p.budgetFailOpen;
    if (eff.disabledBy === null && t.status === "disabled") eff.disabledBy = cur;
  }
  eff.failOpen = failOpen ?? false;
  return eff;
}

const shown = (field: (typeof NUMERIC)[number], v: number | null) => (v === null ? "unlimited" : String(publicValue(field, v)));
const shownList = (v: string[] | null) => (v === null ? "unrestricted" : `[${v.join(", ")}]`);

/** How `after` is wider than `before`, one entry per field ("allowedJurisdictions [eu] → unrestricted"). */
function widenings(before: Effective, after: Effective): string[] {
  const out: string[] = [];
  for (const f of NUMERIC) {
    const b = before.numbers[f];
    const a = after.numbers[f];
    if (b !== null && (a === null || a > b)) out.push(`${publicName(f)} ${shown(f, b)} → ${shown(f, a)}`);
  }
  for (const f of LISTS) {
    const b = before.lists[f];
    const a = after.lists[f];
    if (b !== null && (a === null || a.some((x) => !b.includes(x)))) out.push(`${f} ${shownList(b)} → ${shownList(a)}`);
  }
  for (const [feature, limits] of Object.entries(before.features)) {
    for (const kind of ["rpm", "tpm"] as const) {
      const b = limits[kind];
      const a = ownEntry(after.features, feature)?.[kind] ?? null;
      if (b !== null && (a === null || a > b)) out.push(`featureLimits.${feature}.${kind} ${b} → ${a ?? "unlimited"}`);
    }
  }
  if (!before.failOpen && after.failOpen) out.push("budgetFailOpen false → true");
  if (before.disabledBy !== null && after.disabledBy === null) out.push(`disabled (kill switch on ${before.disabledBy}) → active`);
  return out;
}

/**
 * What moving `rootId` under `newParentId` (null: to the top level) would widen, per tenant of the
 * moved subtree: its effective policy after the move compared with before (what it inherited from
 * its old ancestors and loses, or gets looser from its new ones). Empty when the move narrows or
 * keeps everything; such a move needs no review.
 */
export async function moveWidenings(q: Queryable, rootId: string, newParentId: string | null): Promise<string[]> {
  const tenants = await allTenants(q);
  const byId = new Map(tenants.map((t) => [t.id, t]));
  const before = new Map(tenants.map((t) => [t.id, t.parentId ?? null]));
  const after = new Map(before).set(rootId, newParentId);
  const children = new Map<string, string[]>();
  for (const [id, p] of before) if (p) children.set(p, [...(children.get(p) ?? []), id]);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const queue = [rootId]; queue.length > 0; ) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const wider = widenings(effectiveOf(id, before, byId), effectiveOf(id, after, byId));
    if (wider.length > 0) out.push(`${id}: ${wider.join(", ")}`);
    queue.push(...(children.get(id) ?? []).sort());
  }
  return out;
}
