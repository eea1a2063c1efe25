/**
 * How a tenant's own policy as a request writes it holds less than the policy it has: a number or a
 * list it set dropped (null inherits) or made larger, a per-feature limit dropped or raised,
 * `budgetFailOpen` turned true or a false dropped. A time zone is not a loosening. Pure.
 *
 * @example policyLoosening({ ...EMPTY_TENANT_POLICY, rpm: 100 }, { ...EMPTY_TENANT_POLICY, rpm: 1000 }) // ["rpm 100 → 1000"]
 */
import { LISTS, NUMERIC, publicName, publicValue } from "../tenants/tenant-policy.ts";
import { EMPTY_TENANT_POLICY, ownEntry, type TenantPolicyValue } from "./policy-state.ts";

const shownNumber = (field: (typeof NUMERIC)[number], v: number | null) => (v === null ? "inherited" : String(publicValue(field, v)));
const shownList = (v: string[] | null) => (v === null ? "inherited" : `[${v.join(", ")}]`);

/** One entry per loosened field ("rpm 100 → 1000"); `after` null is the empty policy. */
export function policyLoosening(before: TenantPolicyValue, after: TenantPolicyValue | null): string[] {
  const now = after ?? EMPTY_TENANT_POLICY;
  const out: string[] = [];
  for (const f of NUMERIC) {
    const b = before[f] as number | null;
    const a = now[f] as number | null;
    if (b !== null && (a === null || a > b)) out.push(`${publicName(f)} ${shownNumber(f, b)} → ${shownNumber(f, a)}`);
  }
  for (const f of LISTS) {
    const b = before[f] as string[] | null;
    const a = now[f] as string[] | null;
    if (b !== null && (a === null || a.some((x) => !b.includes(x)))) out.push(`${f} ${shownList(b)} → ${shownList(a)}`);
  }
  for (const [feature, limits] of Object.entries(before.featureLimits ?? {})) {
    for (const kind of ["rpm", "tpm"] as const) {
      const b = limits[kind];
      const a = ownEntry(now.featureLimits ?? undefined, feature)?.[kind] ?? null;
      if (b !== null && b !== undefined && (a === null || a > b)) out.push(`featureLimits.${feature}.${kind} ${b} → ${a ?? "inherited"}`);
    }
  }
  const [b, a] = [before.budgetFailOpen ?? null, now.budgetFailOpen ?? null];
  if ((a === true && b !== true) || (b === false && a !== false)) out.push(`budgetFailOpen ${b ?? "inherited"} → ${a ?? "inherited"}`);
  return out;
}
