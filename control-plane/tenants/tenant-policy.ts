/**
 * Inheritance rules for tenant policy: a child may narrow what its ancestors allow, never widen it.
 * Numbers must not exceed the smallest an ancestor sets; lists must be subsets of every ancestor's
 * list. Pure; the refusal names the field and the ancestor's value.
 */
import { badInput } from "../graphql/errors.ts";
import { ownEntry, type TenantPolicyValue } from "../changes/policy-state.ts";

export const MAX_DEPTH = 4;
export const TENANT_KINDS = ["organization", "team", "project"] as const;

export const NUMERIC = ["rpm", "tpm", "dailyBudgetMicros", "monthlyBudgetMicros", "keyTtlDays"] as const satisfies readonly (keyof TenantPolicyValue)[];
export const LISTS = ["allowedAliases", "allowedJurisdictions"] as const satisfies readonly (keyof TenantPolicyValue)[];

/** The field name callers use (budgets are set in USD). */
export function publicName(field: keyof TenantPolicyValue): string {
  return field === "dailyBudgetMicros" ? "dailyBudgetUsd" : field === "monthlyBudgetMicros" ? "monthlyBudgetUsd" : field;
}
export function publicValue(field: keyof TenantPolicyValue, value: number): number {
  return field.endsWith("BudgetMicros") ? value / 1_000_000 : value;
}

export interface AncestorPolicy {
  id: string;
  policy: TenantPolicyValue;
}

/** Throws BAD_USER_INPUT when `policy` widens any ancestor's. `ancestors` nearest first. */
export function checkNarrowing(policy: TenantPolicyValue, ancestors: AncestorPolicy[]): void {
  for (const field of NUMERIC) {
    const mine = policy[field] as number | null;
    if (mine === null) continue;
    for (const a of ancestors) {
      const theirs = a.policy[field] as number | null;
      if (theirs !== null && mine > theirs) {
        throw badInput(publicName(field), `${publicValue(field, mine)} widens ${publicValue(field, theirs)} set by ancestor ${a.id}`);
      }
    }
  }
  if (policy.budgetFailOpen === true) {
    const closed = ancestors.find((a) => a.policy.budgetFailOpen === false);
    if (closed) throw badInput("budgetFailOpen", `true widens false set by ancestor ${closed.id}`);
  }
  for (const [feature, limits] of Object.entries(policy.featureLimits ?? {})) {
    for (const kind of ["rpm", "tpm"] as const) {
      const mine = limits[kind];
      if (mine === null || mine === undefined) continue;
      for (const a of ancestors) {
        const theirs = ownEntry(a.policy.featureLimits ?? undefined, feature)?.[kind];
        if (theirs !== null && theirs !== undefined && mine > theirs) {
          throw badInput(`featureLimits.${feature}.${kind}`, `${mine} widens ${theirs} set by ancestor ${a.id}`);
        }
      }
    }
  }
  for (const field of LISTS) {
    const mine = policy[field] as string[] | null;
    if (mine === null) continue;
    for (const a of ancestors) {
      const theirs = a.policy[field] as string[] | null;
      if (theirs === null) continue;
      const extra = mine.filter((v) => !theirs.includes(v));
      if (extra.length > 0) throw badInput(publicName(field), `${extra.join(", ")} not in [${theirs.join(", ")}] set by ancestor ${a.id}`);
    }
  }
}

/** The effective value of each field: the tenant's own, else the nearest ancestor's; numbers take the minimum. */
export function effectivePolicy(own: TenantPolicyValue, ancestors: AncestorPolicy[]): TenantPolicyValue {
  const out = { ...own };
  for (const a of ancestors) {
    for (const field of NUMERIC) {
      const theirs = a.policy[field] as number | null;
      const mine = out[field] as number | null;
      if (theirs !== null && (mine === null || theirs < mine)) (out as Record<string, unknown>)[field] = theirs;
    }
    for (const field of LISTS) if (out[field] === null) (out as Record<string, unknown>)[field] = a.policy[field];
    if (out.timeZone === null) out.timeZone = a.policy.timeZone;
  }
  return out;
}
