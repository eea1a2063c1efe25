/**
 * The routing policy as plain data: aliases, deployments, prices and tenant policies, keyed by id.
 * A change request is a list of entity writes against this state; its diff, staleness check and
 * rollback are all computed on it. Ids are often the caller's own names (an alias `constructor`), so
 * tables are made with emptyTable and read with ownEntry, never `table[id]` or `id in table`. Pure.
 */
import type { DeploymentTimeouts } from "../../shared/snapshot/schema.ts";
import { canonicalJson } from "../audit/audit-hash.ts";
import { longContextValue, type LongContextMicros } from "../pricing/long-context.ts";

export interface AliasValue {
  deploymentIds: string[];
}
export interface DeploymentValue {
  provider: string;
  baseUrl: string;
  model: string;
  region: string;
  credentialRef: string;
  jurisdiction: string | null;
  flags: string[];
  status: "active" | "disabled";
  /**
   * The deployment's own vendor timeouts, only the fields set; present only when one is (see
   * deploymentValue), as config states stored before deployments had timeouts lack it.
   */
  timeouts?: DeploymentTimeouts;
}

/**
 * A deployment as the policy state holds it: `timeouts` left out when none is set, so a deployment
 * without timeouts equals its value in states stored before they existed (no rollback rewrites it, no
 * pending request goes stale), and a stored state without them restores none (a rollback clears them).
 */
export function deploymentValue(d: DeploymentValue): DeploymentValue {
  const { timeouts, ...rest } = d;
  return timeouts && Object.keys(timeouts).length > 0 ? { ...rest, timeouts } : rest;
}
export interface PriceValue {
  provider: string;
  model: string;
  inputMicros: number;
  outputMicros: number;
  cachedInputMicros: number | null;
  /** Prompt-cache writes; present only when set (see priceValue). */
  cacheWriteMicros?: number | null;
  /** Reasoning tokens; present only when set (see priceValue). */
  reasoningMicros?: number | null;
  /** The long-context tier; present only when set (see priceValue). */
  longContext?: LongContextMicros | null;
}

/**
 * A price as the policy state holds it. A cache-write or reasoning price, or a long-context tier, is left out when not set
 * (absent = null, the fallback to input or output): config states and request bases stored before the
 * policy state carried them lack them, so leaving them out keeps an unchanged price equal to its stored
 * value (no rollback rewrites it, no pending request goes stale), and a stored state without them
 * restores none (a rollback clears them).
 */
export function priceValue(p: PriceValue): PriceValue {
  return {
    provider: p.provider,
    model: p.model,
    inputMicros: p.inputMicros,
    outputMicros: p.outputMicros,
    cachedInputMicros: p.cachedInputMicros,
    ...(p.cacheWriteMicros == null ? {} : { cacheWriteMicros: p.cacheWriteMicros }),
    ...(p.reasoningMicros == null ? {} : { reasoningMicros: p.reasoningMicros }),
    ...(p.longContext == null ? {} : { longContext: longContextValue(p.longContext) }),
  };
}
/** A tenant's own policy; null fields inherit from the ancestors. */
export interface TenantPolicyValue {
  rpm: number | null;
  tpm: number | null;
  dailyBudgetMicros: number | null;
  monthlyBudgetMicros: number | null;
  allowedAliases: string[] | null;
  allowedJurisdictions: string[] | null;
  timeZone: string | null;
  keyTtlDays: number | null;
  /** Admit budgeted requests when the region's counters are unreachable; null inherits (default false). */
  budgetFailOpen?: boolean | null;
  /** Rate limits per X-Feature-Id; null inherits. */
  featureLimits?: Record<string, FeatureLimitValue> | null;
}

export interface FeatureLimitValue {
  rpm: number | null;
  tpm: number | null;
}

export interface PolicyState {
  alias: Record<string, AliasValue>;
  deployment: Record<string, DeploymentValue>;
  price: Record<string, PriceValue>;
  tenantPolicy: Record<string, TenantPolicyValue>;
  /** Only disabled tenants appear (a kill switch); absent = active. Re-enabling goes through review. */
  tenantStatus?: Record<string, { status: "disabled" }>;
}

export type PolicyEntity = keyof PolicyState;
export const POLICY_ENTITIES: readonly PolicyEntity[] = ["alias", "deployment", "price", "tenantPolicy", "tenantStatus"];

/** Set entity `id` to `value`; null deletes it (a deployment is disabled instead, it may be referenced). */
export interface EntityWrite {
  entity: PolicyEntity;
  id: string;
  value: Record<string, unknown> | null;
  /**
   * Only in a request's bases: not a target but a deployment the request newly routes to, with its value
   * at proposal time (see dependencyBases). Checked by brokenDependencies, not as a target by isStale.
   */
  dependency?: true;
}

export interface DiffEntry {
  entity: PolicyEntity;
  id: string;
  field: string;
  before: unknown;
  after: unknown;
}

export const EMPTY_TENANT_POLICY: TenantPolicyValue = {
  rpm: null,
  tpm: null,
  dailyBudgetMicros: null,
  monthlyBudgetMicros: null,
  allowedAliases: null,
  allowedJurisdictions: null,
  timeZone: null,
  keyTtlDays: null,
  budgetFailOpen: null,
  featureLimits: null,
};

/**
 * A table keyed by caller-chosen names (an alias `constructor`, a feature `toString`): no prototype,
 * so a lookup or an assignment never reaches Object.prototype's members.
 */
export function emptyTable<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * `table[id]` when the table itself holds it. Tables read back from JSON (stored config states,
 * request bases) or copied with structuredClone have Object.prototype again, so lookups go through here.
 *
 * @example ownEntry(state.alias, "constructor") // undefined until an alias of that name exists
 */
export function ownEntry<T>(table: Readonly<Record<string, T>> | undefined, id: string): T | undefined {
  return table !== undefined && Object.hasOwn(table, id) ? table[id] : undefined;
}

/** A policy state with every table empty (see emptyTable). */
export function emptyPolicyState(): PolicyState {
  return { alias: emptyTable(), deployment: emptyTable(), price: emptyTable(), tenantPolicy: emptyTable(), tenantStatus: emptyTable() };
}

export function currentValue(state: PolicyState, entity: PolicyEntity, id: string): Record<string, unknown> | null {
  // States stored before an entity existed lack its table.
  const value = ownEntry(state[entity] as Record<string, unknown> | undefined, id);
  return value === undefined ? null : (value as Record<string, unknown>);
}

export function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

/** Field-level diff of one entity; a created or deleted entity lists every field. */
export function diffEntity(entity: PolicyEntity, id: string, before: Record<string, unknown> | null, after: Record<string, unknown> | null): DiffEntry[] {
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort();
  const out: DiffEntry[] = [];
  for (const field of fields) {
    const b = before ? (before[field] ?? null) : null;
    const a = after ? (after[field] ?? null) : null;
    if (!sameValue(b, a)) out.push({ entity, id, field, before: b, after: a });
  }
  return out;
}

/** The writes that turn `current` into `target` (used by rollback). */
export function writesBetween(current: PolicyState, target: PolicyState): EntityWrite[] {
  const writes: EntityWrite[] = [];
  for (const entity of POLICY_ENTITIES) {
    const ids = [...new Set([...Object.keys(current[entity] ?? {}), ...Object.keys(target[entity] ?? {})])].sort();
    for (const id of ids) {
      const from = currentValue(current, entity, id);
      let to = currentValue(target, entity, id);
      if (to === null && entity === "deployment" && from) to = { ...from, status: "disabled" };
      if (to === null && entity === "tenantPolicy" && from) to = { ...EMPTY_TENANT_POLICY };
      if (!sameValue(from, to)) writes.push({ entity, id, value: to });
    }
  }
  return writes;
}

/** Each alias write's deployments that are not in the alias's base chain: [alias, deployment] pairs. */
function newlyNamed(writes: EntityWrite[], bases: EntityWrite[]): [string, string][] {
  const out: [string, string][] = [];
  for (const w of writes) {
    if (w.entity !== "alias" || !w.value) continue;
    const base = bases.find((b) => b.entity === "alias" && b.id === w.id)?.value as AliasValue | null | undefined;
    const before = new Set(base?.deploymentIds ?? []);
    for (const id of (w.value as unknown as AliasValue).deploymentIds) if (!before.has(id)) out.push([w.id, id]);
  }
  return out;
}

/**
 * The bases a proposal records for what it depends on beyond its targets: the value in `state` of
 * each deployment an alias write newly names that the request does not itself write. The request was
 * reviewed with those deployments as they were; any later change of one (its URL, region,
 * jurisdiction, credential, model, flags, timeouts or status, without telling which matter) makes
 * the request stale (brokenDependencies).
 */
export function dependencyBases(writes: EntityWrite[], bases: EntityWrite[], state: PolicyState): EntityWrite[] {
  const written = new Set(writes.filter((w) => w.entity === "deployment").map((w) => w.id));
  const out: EntityWrite[] = [];
  for (const [, id] of newlyNamed(writes, bases)) {
    if (written.has(id) || out.some((b) => b.id === id)) continue;
    out.push({ entity: "deployment", id, value: currentValue(state, "deployment", id), dependency: true });
  }
  return out;
}

/**
 * Staleness by dependency: an alias write that puts a deployment in a chain depends on that
 * deployment, though the deployment is not one of its targets. Returns, for the state after `writes`
 * apply, each deployment an alias write newly names (not in the alias's base chain) that is missing or
 * disabled, or that was redefined since the proposal recorded it (a dependency base; requests proposed
 * before those were recorded have none). One exactly as recorded is fine: a rollback may restore a
 * chain naming a deployment already disabled when it was proposed. Empty = the writes still make sense
 * together with `state`.
 */
export function brokenDependencies(writes: EntityWrite[], bases: EntityWrite[], state: PolicyState): string[] {
  const deployments: Record<string, unknown> = Object.assign(emptyTable(), state.deployment);
  for (const w of writes) if (w.entity === "deployment") deployments[w.id] = w.value ?? undefined;
  const problems: string[] = [];
  for (const [alias, id] of newlyNamed(writes, bases)) {
    const dep = ownEntry(deployments, id) as DeploymentValue | undefined;
    const recorded = bases.find((b) => b.dependency === true && b.entity === "deployment" && b.id === id);
    // As reviewed: only a rollback can record one disabled (a change naming it is refused), restoring a
    // chain that routed to a deployment disabled since; the snapshot leaves it out of the chain as before.
    if (recorded && sameValue(recorded.value, dep ?? null)) continue;
    if (!dep || dep.status !== "active") problems.push(`alias ${alias} names deployment ${id}, which is ${dep ? "disabled" : "gone"}`);
    else if (recorded && !sameValue(recorded.value, dep)) problems.push(`alias ${alias} names deployment ${id}, which was redefined since the request was proposed`);
  }
  return problems;
}
