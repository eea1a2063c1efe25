/**
 * Which levels a request must pass, read from the snapshot alone (pure): the key (its lineage: every
 * secret rotated from the same key counts as one, `key:<lineageId>`), every tenant from the
 * key's own up to the org (org → team → project, via parentId), and the feature (`X-Feature-Id`).
 * A request passes only if every level allows it; levels with nothing configured are left out, so a
 * tenant without limits costs no Redis key.
 */
import type { Snapshot, SnapshotKey, SnapshotTenant } from "../../shared/snapshot/schema.ts";
import type { BudgetCheck } from "../counters/budget-types.ts";
import { periodKeys, type PeriodKeys } from "../counters/period.ts";
import type { LimitCheck } from "../counters/rate-limit-types.ts";

/** Deeper trees than org → team → project → … are a snapshot bug; the walk stops there. */
export const MAX_TENANT_DEPTH = 8;

/**
 * Shared, never changed: planLimits hands one plan (its lists and their checks) to every request of a
 * key until its snapshot is replaced or a budget's day or month turns (keyPlans), and what reads it
 * keeps work by the lists themselves (the memory limiter's buckets per `rate` list; leased budgets
 * pass `budget` on as it is). A caller that needs other levels makes new lists.
 */
export interface LimitPlan {
  rate: LimitCheck[];
  budget: BudgetCheck[];
  /** Budgets admit when the shared counters are unreachable (the nearest tenant that says so decides; default false). */
  failOpen: boolean;
}

export const keyScope = (keyId: string) => `key:${keyId}`;
/** A key's level is its lineage's: the secret a rotation replaced shares it during its grace period. */
const keyLevel = (key: SnapshotKey) => keyScope(key.lineageId ?? key.id);
export const tenantScope = (tenantId: string) => `ten:${tenantId}`;
/** Per defining tenant: a feature limit set on an org is shared by every project under it. */
export const featureScope = (tenantId: string, featureId: string) => `feature:${tenantId}:${featureId}`;

/**
 * Visits the tenant and its ancestors, nearest first, until `visit` answers true (then true). Stops at
 * an unknown parent or after MAX_TENANT_DEPTH levels; allocates nothing, so a question asked of every
 * request (budgetApplies) costs no array. A cycle is cut by the depth bound alone: `visit` may see a
 * tenant again (tenantChain stops there).
 *
 * @example someTenantUp(snapshot, "ten_project", (t) => t.budgets != null) // true when the org has budgets
 */
export function someTenantUp(snapshot: Snapshot, tenantId: string, visit: (tenant: SnapshotTenant) => boolean): boolean {
  let id: string | null | undefined = tenantId;
  for (let depth = 0; id && depth < MAX_TENANT_DEPTH; depth++) {
    const tenant: SnapshotTenant | undefined = snapshot.tenants[id];
    if (!tenant) return false;
    if (visit(tenant)) return true;
    id = tenant.parentId;
  }
  return false;
}

/**
 * The tenant and its ancestors, nearest first (someTenantUp's walk). Stops at an unknown parent, a
 * cycle, or MAX_TENANT_DEPTH levels, so a malformed tree still yields the levels it can name.
 */
export function tenantChain(snapshot: Snapshot, tenantId: string): SnapshotTenant[] {
  const chain: SnapshotTenant[] = [];
  // A cycle returns to a tenant already in the chain (at most MAX_TENANT_DEPTH of them to compare).
  someTenantUp(snapshot, tenantId, (tenant) => {
    if (chain.includes(tenant)) return true;
    chain.push(tenant);
    return false;
  });
  return chain;
}

function rateCheck(scope: string, limits: { rpm?: number | null; tpm?: number | null } | null | undefined): LimitCheck | null {
  const rpm = limits?.rpm ?? null;
  const tpm = limits?.tpm ?? null;
  return rpm === null && tpm === null ? null : { scope, rpm, tpm };
}

type Caps = { dailyMicros?: number | null; monthlyMicros?: number | null } | null | undefined;

/** A budget level before its calendar period is known: whose, which of its two caps, how much. */
interface BudgetCap {
  scope: string;
  period: keyof PeriodKeys;
  capMicros: number;
}

function budgetCaps(caps: BudgetCap[], scope: string, budgets: Caps): void {
  if (budgets?.dailyMicros !== undefined && budgets.dailyMicros !== null) caps.push({ scope, period: "day", capMicros: budgets.dailyMicros });
  if (budgets?.monthlyMicros !== undefined && budgets.monthlyMicros !== null) caps.push({ scope, period: "month", capMicros: budgets.monthlyMicros });
}

/** What the snapshot alone decides of a plan: everything but the budget levels' calendar periods. */
interface Levels {
  rate: LimitCheck[];
  caps: BudgetCap[];
  /** The org's zone (the root we reached): every level of one request agrees on "today". */
  timeZone: string;
  failOpen: boolean;
}

function levelsOf(snapshot: Snapshot, key: SnapshotKey, tenantId: string, featureId: string | null): Levels {
  const chain = tenantChain(snapshot, tenantId);
  const rate: LimitCheck[] = [];
  const caps: BudgetCap[] = [];
  const keyScope = keyLevel(key);
  const keyRate = rateCheck(keyScope, key.limits);
  if (keyRate) rate.push(keyRate);
  budgetCaps(caps, keyScope, key.budgets);
  for (const tenant of chain) {
    const scope = tenantScope(tenant.id);
    const tenantRate = rateCheck(scope, tenant.limits);
    if (tenantRate) rate.push(tenantRate);
    budgetCaps(caps, scope, tenant.budgets);
  }
  if (featureId !== null) {
    // Every tenant up the chain that limits this feature is a level of its own, as tenant limits are:
    // a project's own limit for a feature narrows the org's shared one, it cannot lift it.
    for (const tenant of chain) {
      if (!tenant.featureLimits || !Object.hasOwn(tenant.featureLimits, featureId)) continue;
      const featureRate = rateCheck(featureScope(tenant.id, featureId), tenant.featureLimits[featureId]);
      if (featureRate) rate.push(featureRate);
    }
  }
  const failOpen = chain.find((t) => typeof t.budgetFailOpen === "boolean")?.budgetFailOpen ?? false;
  return { rate, caps, timeZone: chain[chain.length - 1]?.timeZone ?? "UTC", failOpen };
}

/** A key's plan as last built from its snapshot, and the periods its budget levels name. */
interface KeyPlan {
  levels: Levels;
  periods: PeriodKeys | null;
  plan: LimitPlan;
}

/**
 * Per snapshot and key, for requests without a feature under the key's own tenant (every request but
 * those naming X-Feature-Id, whose ids are the client's to pick): the snapshot is immutable, so its
 * levels are read once, and the plan is rebuilt only when a budget's day or month turns.
 */
const keyPlans = new WeakMap<Snapshot, WeakMap<SnapshotKey, KeyPlan>>();

function withPeriods(levels: Levels, periods: PeriodKeys | null): LimitPlan {
  const budget: BudgetCheck[] = periods === null ? [] : levels.caps.map((cap) => ({ scope: cap.scope, period: periods[cap.period], capMicros: cap.capMicros }));
  return { rate: levels.rate, budget, failOpen: levels.failOpen };
}

/**
 * Every rate and budget level for one request. The plan is shared by every request it fits (see
 * keyPlans): callers read it, never change it.
 * @example planLimits(snapshot, key, "ten_project", "search", new Date())
 *   // { rate: [{ scope: "key:key_1", rpm: 60 }, { scope: "ten:ten_org", tpm: 100000 }, { scope: "feature:ten_org:search", rpm: 10 }],
 *   //   budget: [{ scope: "ten:ten_org", period: "day:2026-11-25", capMicros: 1000000 }], failOpen: false }
 */
export function planLimits(snapshot: Snapshot, key: SnapshotKey, tenantId: string, featureId: string | null, now: Date): LimitPlan {
  if (featureId !== null || tenantId !== key.tenantId) {
    const levels = levelsOf(snapshot, key, tenantId, featureId);
    return withPeriods(levels, periodsFor(levels, now));
  }
  let plans = keyPlans.get(snapshot);
  if (!plans) keyPlans.set(snapshot, (plans = new WeakMap()));
  let known = plans.get(key);
  const levels = known?.levels ?? levelsOf(snapshot, key, tenantId, null);
  const periods = periodsFor(levels, now);
  if (known && samePeriods(known.periods, periods)) return known.plan;
  known = { levels, periods, plan: withPeriods(levels, periods) };
  plans.set(key, known);
  return known.plan;
}

/** The calendar periods, computed only when some level has a budget (Intl formatting is the plan's one non-trivial cost). */
function periodsFor(levels: Levels, now: Date): PeriodKeys | null {
  return levels.caps.length > 0 ? periodKeys(now, levels.timeZone) : null;
}

function samePeriods(a: PeriodKeys | null, b: PeriodKeys | null): boolean {
  return a === b || (a !== null && b !== null && a.day === b.day && a.month === b.month);
}
