/**
 * Turns the operations of a proposal into entity writes against the current policy state, with the
 * base value of every target (for the staleness check), of every deployment it newly routes to (a
 * dependency base, see dependencyBases) and the field-level diff. Each operation sees
 * the ones before it, so one request can create a deployment and put it in an alias's chain.
 */
import { GraphQLError } from "graphql";
import { GraphQLCode } from "../../shared/errors/graphql-codes.ts";
import { newId } from "../../shared/ids.ts";
import { ALIAS_NAME_PATTERN } from "../aliases/alias-name.ts";
import { forbidden, requireTenantInScope } from "../auth/access.ts";
import { hasRole } from "../auth/principal.ts";
import type { Tx } from "../db/client.ts";
import { FLAG_PATTERN, JURISDICTION_PATTERN, requireAzureApiVersion, requireCredentialRef, requireDeploymentBaseUrl, requireDeploymentModel, requireProvider } from "../deployments/deployment.service.ts";
import { mergeTimeouts } from "../deployments/deployment-timeouts.ts";
import { requireEncryptedBaseUrl } from "../deployments/plaintext-base-url.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput, conflict, notFound } from "../graphql/errors.ts";
import { requireHttpUrl, requirePattern } from "../graphql/validate.ts";
import { MAX_DEPLOYMENT_FLAGS, MAX_FEATURE_LIMITS, MAX_POLICY_ALIASES, MAX_POLICY_JURISDICTIONS, requireAtMost } from "../graphql/list-bounds.ts";
import { BUDGETS_KEPT, wholeMicros } from "../graphql/whole-micros.ts";
import { priceRow } from "../pricing/price.service.ts";
import { REGION_NAME_PATTERN } from "../regions/region-name.ts";
import { findTenant } from "../tenants/tenant.repo.ts";
import { checkSubtreeNarrowing } from "../tenants/check-subtree.ts";
import type { ChangeOperationInput, DeploymentFieldsInput } from "./change-request.type.ts";
import type { TenantPolicyInput } from "../tenants/tenant.input.ts";
import { newUnpricedRoutes, unpricedRoutesMessage } from "./unpriced-routes.ts";
import { postgresKnowsTimeZone } from "./postgres-time-zones.ts";
import {
  currentValue,
  dependencyBases,
  diffEntity,
  EMPTY_TENANT_POLICY,
  deploymentValue,
  emptyTable,
  ownEntry,
  priceValue,
  type DeploymentValue,
  type DiffEntry,
  type EntityWrite,
  type FeatureLimitValue,
  type PolicyEntity,
  type PolicyState,
  type TenantPolicyValue,
} from "./policy-state.ts";

export const MAX_OPERATIONS = 100;
/** What the proxy accepts in X-Feature-Id. */
const FEATURE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const MAX_CHAIN = 16;

export interface BuiltChange {
  writes: EntityWrite[];
  /** Each target's value at proposal time, then each newly routed-to deployment's (`dependency`). */
  bases: EntityWrite[];
  diff: DiffEntry[];
  tenantIds: string[];
}

/**
 * Checks a deployment as a proposal would leave it. Rules added after values were stored (the model's
 * characters, the baseUrl's query, fragment and whitespace) judge only a value being written: an update
 * that leaves a stored model, or a stored baseUrl and its provider, as they are (a credential rotation,
 * say) is not refused for them. So with plain http to a public host (plaintext-base-url.ts): judged
 * only in a baseUrl being written, and refused unless `allowPlaintext` (ALLOW_PLAINTEXT_VENDOR_URLS).
 */
function checkDeployment(field: string, d: DeploymentValue, base: DeploymentValue | null, allowPlaintext: boolean): DeploymentValue {
  const provider = requireProvider(`${field}.provider`, d.provider);
  const baseUrlKept = base !== null && d.baseUrl === base.baseUrl && provider === base.provider;
  const baseUrl = baseUrlKept
    ? requireAzureApiVersion(`${field}.baseUrl`, provider, requireHttpUrl(`${field}.baseUrl`, d.baseUrl))
    : requireDeploymentBaseUrl(`${field}.baseUrl`, provider, d.baseUrl);
  if (base === null || baseUrl !== base.baseUrl) requireEncryptedBaseUrl(`${field}.baseUrl`, baseUrl, allowPlaintext);
  return deploymentValue({
    provider,
    baseUrl,
    model: base !== null && d.model === base.model ? d.model : requireDeploymentModel(`${field}.model`, d.model),
    region: requirePattern(`${field}.region`, d.region, REGION_NAME_PATTERN),
    credentialRef: requireCredentialRef(`${field}.credentialRef`, d.credentialRef),
    jurisdiction: d.jurisdiction === null ? null : requirePattern(`${field}.jurisdiction`, d.jurisdiction, JURISDICTION_PATTERN),
    flags: [...new Set(d.flags.map((f, i) => requirePattern(`${field}.flags[${i}]`, f, FLAG_PATTERN)))].sort(),
    status: d.status,
    timeouts: d.timeouts,
  });
}

function mergeDeployment(base: DeploymentValue | null, input: DeploymentFieldsInput | null | undefined, field: string, allowPlaintext: boolean): DeploymentValue {
  const pick = <K extends keyof DeploymentFieldsInput>(key: K, fallback: unknown) => (input?.[key] === undefined ? fallback : input[key]);
  // Only flags being written: a stored list is judged again by checkDeployment's patterns, not its count.
  if (input?.flags) requireAtMost(`${field}.flags`, input.flags, MAX_DEPLOYMENT_FLAGS);
  const merged = {
    provider: pick("provider", base?.provider),
    baseUrl: pick("baseUrl", base?.baseUrl),
    model: pick("model", base?.model),
    region: pick("region", base?.region),
    credentialRef: pick("credentialRef", base?.credentialRef),
    jurisdiction: pick("jurisdiction", base?.jurisdiction ?? null) ?? null,
    flags: pick("flags", base?.flags ?? []) ?? [],
    status: base?.status ?? "active",
    timeouts: mergeTimeouts(`${field}.timeouts`, base?.timeouts, input?.timeouts),
  };
  for (const key of ["provider", "baseUrl", "model", "region", "credentialRef"] as const) {
    if (typeof merged[key] !== "string") throw badInput(`${field}.${key}`, "is required");
  }
  return checkDeployment(field, merged as DeploymentValue, base, allowPlaintext);
}

function mergePolicy(base: TenantPolicyValue, input: TenantPolicyInput, field: string): TenantPolicyValue {
  const out = { ...base };
  const count = (key: "rpm" | "tpm" | "keyTtlDays", max: number) => {
    const v = input[key];
    if (v === undefined) return;
    if (v !== null && (!Number.isInteger(v) || v < (key === "keyTtlDays" ? 1 : 0) || v > max)) throw badInput(`${field}.${key}`, `must be an integer between ${key === "keyTtlDays" ? 1 : 0} and ${max}`);
    out[key] = v;
  };
  count("rpm", 1e9);
  count("tpm", 1e12);
  count("keyTtlDays", 3650);
  for (const [key, stored] of [["dailyBudgetUsd", "dailyBudgetMicros"], ["monthlyBudgetUsd", "monthlyBudgetMicros"]] as const) {
    const v = input[key];
    if (v === undefined) continue;
    if (v !== null && (!Number.isFinite(v) || v < 0 || v > 1e9)) throw badInput(`${field}.${key}`, "must be between 0 and 1e9 USD");
    out[stored] = v === null ? null : wholeMicros(`${field}.${key}`, v, BUDGETS_KEPT);
  }
  if (input.allowedAliases !== undefined) {
    out.allowedAliases = input.allowedAliases === null ? null : [...new Set(requireAtMost(`${field}.allowedAliases`, input.allowedAliases, MAX_POLICY_ALIASES).map((a, i) => requirePattern(`${field}.allowedAliases[${i}]`, a, ALIAS_NAME_PATTERN)))].sort();
  }
  if (input.allowedJurisdictions !== undefined) {
    out.allowedJurisdictions =
      input.allowedJurisdictions === null ? null : [...new Set(requireAtMost(`${field}.allowedJurisdictions`, input.allowedJurisdictions, MAX_POLICY_JURISDICTIONS).map((j, i) => requirePattern(`${field}.allowedJurisdictions[${i}]`, j, JURISDICTION_PATTERN)))].sort();
  }
  if (input.budgetFailOpen !== undefined) out.budgetFailOpen = input.budgetFailOpen;
  if (input.featureLimits !== undefined) {
    if (input.featureLimits === null) out.featureLimits = null;
    else {
      const table = emptyTable<FeatureLimitValue>();
      for (const [i, f] of requireAtMost(`${field}.featureLimits`, input.featureLimits, MAX_FEATURE_LIMITS).entries()) {
        const name = requirePattern(`${field}.featureLimits[${i}].feature`, f.feature, FEATURE_PATTERN);
        if (Object.hasOwn(table, name)) throw badInput(`${field}.featureLimits[${i}].feature`, `${name} is listed twice`);
        for (const kind of ["rpm", "tpm"] as const) {
          const v = f[kind];
          if (v !== undefined && v !== null && (!Number.isInteger(v) || v < 0)) throw badInput(`${field}.featureLimits[${i}].${kind}`, "must be a non-negative integer");
        }
        table[name] = { rpm: f.rpm ?? null, tpm: f.tpm ?? null };
      }
      out.featureLimits = Object.keys(table).length > 0 ? table : null;
    }
  }
  if (input.timeZone !== undefined) {
    if (input.timeZone !== null && !isCanonicalTimeZone(input.timeZone)) throw badInput(`${field}.timeZone`, TIME_ZONE_RULE);
    out.timeZone = input.timeZone;
  }
  return out;
}

let supportedZones: Set<string> | null = null;

/**
 * A tz database zone name spelled as the database spells it ("Europe/Berlin", "Asia/Kolkata", "UTC",
 * also links such as "US/Eastern"). The proxy reads the zone with Intl and the control plane with
 * PostgreSQL's `at time zone`, and only names read the same way by both: an offset such as "+05:30" is
 * UTC+5:30 to Intl but POSIX UTC−5:30 to PostgreSQL (11 h apart), and a misspelling Intl forgives
 * ("europe/berlin") is another name to everything that compares zones as text. Intl only: the zone
 * must also be one PostgreSQL knows (postgres-time-zones.ts), checked where a transaction is at hand.
 */
export function isCanonicalTimeZone(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(value)) return false;
  if ((supportedZones ??= new Set(Intl.supportedValuesOf("timeZone"))).has(value)) return true;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone === value;
  } catch {
    return false;
  }
}

/**
 * What a time zone must be. A refusal does not quote the value sent: it is audited, in the append-only
 * log, and could be anything pasted into the field (a vendor key included).
 */
const TIME_ZONE_RULE =
  "must be a canonical IANA time zone name that PostgreSQL's time zone database also knows (such as Europe/Berlin or UTC; offsets are refused: PostgreSQL reads their sign the other way round)";

/**
 * Why the request's tenant policy writes no longer fit the current tenant tree (an ancestor narrowed
 * below them, a descendant left wider, a time zone no longer accepted — a rollback restores old values),
 * as the refusal's message; null when they still do.
 */
export async function tenantPolicyConflict(tx: Tx, writes: EntityWrite[]): Promise<string | null> {
  const policies = tenantPolicyWrites(writes);
  for (const [id, value] of Object.entries(policies)) {
    if (value?.timeZone && !(isCanonicalTimeZone(value.timeZone) && (await postgresKnowsTimeZone(tx, value.timeZone)))) return `tenant ${id} timeZone ${value.timeZone}: ${TIME_ZONE_RULE}`;
    try {
      await checkTenantPolicyWrite(tx, id, value, policies);
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.code === GraphQLCode.BAD_USER_INPUT) return error.message;
      throw error;
    }
  }
  return null;
}

/**
 * Re-checks a tenant policy write (also at apply time): the tenant against its ancestors and every
 * descendant against the new value. `pending` are the request's other policy writes, so one request
 * may narrow a parent and its children together, in any order.
 */
export async function checkTenantPolicyWrite(tx: Tx, tenantId: string, value: TenantPolicyValue | null, pending: Record<string, TenantPolicyValue | null> = {}): Promise<void> {
  await checkSubtreeNarrowing(tx, tenantId, { policies: { ...pending, [tenantId]: value } });
}

/** The tenant policy writes of a request, by tenant id. */
export function tenantPolicyWrites(writes: EntityWrite[]): Record<string, TenantPolicyValue | null> {
  const out = emptyTable<TenantPolicyValue | null>();
  for (const w of writes) if (w.entity === "tenantPolicy") out[w.id] = w.value as unknown as TenantPolicyValue | null;
  return out;
}

export async function buildWrites(tx: Tx, ctx: GraphQLContext, state: PolicyState, operations: ChangeOperationInput[]): Promise<BuiltChange> {
  if (operations.length === 0) throw badInput("operations", "must contain at least one operation");
  if (operations.length > MAX_OPERATIONS) throw badInput("operations", `must contain at most ${MAX_OPERATIONS} operations`);
  const isAdmin = hasRole(ctx.principal, "admin", "approver");
  const working: PolicyState = structuredClone(state);
  const touched = new Map<string, { entity: PolicyEntity; id: string }>();
  const tenantIds = new Set<string>();
  const set = (entity: PolicyEntity, id: string, value: Record<string, unknown> | null) => {
    touched.set(`${entity}\u0000${id}`, { entity, id });
    const table = (working[entity] ??= emptyTable()) as Record<string, unknown>;
    if (value === null) delete table[id];
    else table[id] = value;
  };
  for (const [i, op] of operations.entries()) {
    const field = `operations[${i}]`;
    if (op.op !== "tenant.policy" && op.op !== "tenant.enable" && !isAdmin) throw forbidden(`${field}: a tenant admin may only propose tenant.policy and tenant.enable changes`);
    switch (op.op) {
      case "alias.create":
      case "alias.update": {
        const alias = op.alias;
        if (!alias) throw badInput(`${field}.alias`, `is required for ${op.op}`);
        requirePattern(`${field}.alias.name`, alias.name, ALIAS_NAME_PATTERN);
        const exists = currentValue(working, "alias", alias.name) !== null;
        if (op.op === "alias.create" && exists) throw conflict(`an alias named ${alias.name} already exists`);
        if (op.op === "alias.update" && !exists) throw notFound("alias", alias.name);
        const ids = alias.deploymentIds;
        if (ids.length === 0 || ids.length > MAX_CHAIN) throw badInput(`${field}.alias.deploymentIds`, `must name 1 to ${MAX_CHAIN} deployments`);
        if (new Set(ids).size !== ids.length) throw badInput(`${field}.alias.deploymentIds`, "must not repeat a deployment");
        for (const id of ids) {
          const dep = ownEntry(working.deployment, id);
          if (!dep) throw notFound("deployment", id);
          if (dep.status !== "active") throw badInput(`${field}.alias.deploymentIds`, `deployment ${id} is disabled`);
        }
        set("alias", alias.name, { deploymentIds: [...ids] });
        break;
      }
      case "alias.delete": {
        const name = op.id ?? "";
        if (currentValue(working, "alias", name) === null) throw notFound("alias", name);
        set("alias", name, null);
        break;
      }
      case "deployment.create": {
        set("deployment", newId("dep"), mergeDeployment(null, op.deployment, `${field}.deployment`, ctx.deps.allowPlaintextVendorUrls) as unknown as Record<string, unknown>);
        break;
      }
      case "deployment.update":
      case "deployment.disable":
      case "deployment.enable": {
        const id = op.id ?? "";
        const base = ownEntry(working.deployment, id);
        if (!base) throw notFound("deployment", id);
        const next =
          op.op === "deployment.update"
            ? mergeDeployment(base, op.deployment, `${field}.deployment`, ctx.deps.allowPlaintextVendorUrls)
            : { ...base, status: op.op === "deployment.disable" ? ("disabled" as const) : ("active" as const) };
        set("deployment", id, next as unknown as Record<string, unknown>);
        break;
      }
      case "price.set": {
        if (!op.price) throw badInput(`${field}.price`, "is required for price.set");
        const row = priceValue(priceRow(op.price, `${field}.price.`));
        set("price", `${row.provider}:${row.model}`, row as unknown as Record<string, unknown>);
        break;
      }
      case "price.delete": {
        const id = op.id ?? "";
        if (currentValue(working, "price", id) === null) throw notFound("price", id);
        set("price", id, null);
        break;
      }
      case "tenant.policy": {
        const id = op.id ?? "";
        if (!op.tenantPolicy) throw badInput(`${field}.tenantPolicy`, "is required for tenant.policy");
        // Approvers and admins propose for any tenant; a tenant admin only inside its subtree.
        if (!isAdmin) await requireTenantInScope(ctx, tx, id);
        if (!(await findTenant(tx, id))) throw notFound("tenant", id);
        const next = mergePolicy(ownEntry(working.tenantPolicy, id) ?? EMPTY_TENANT_POLICY, op.tenantPolicy, `${field}.tenantPolicy`);
        if (op.tenantPolicy.timeZone && !(await postgresKnowsTimeZone(tx, op.tenantPolicy.timeZone))) throw badInput(`${field}.tenantPolicy.timeZone`, TIME_ZONE_RULE);
        set("tenantPolicy", id, next as unknown as Record<string, unknown>);
        tenantIds.add(id);
        break;
      }
      case "tenant.enable": {
        // Undoes a tenant kill switch; needs the same review as any policy change.
        const id = op.id ?? "";
        if (!isAdmin) await requireTenantInScope(ctx, tx, id);
        if (!(await findTenant(tx, id))) throw notFound("tenant", id);
        set("tenantStatus", id, null);
        tenantIds.add(id);
        break;
      }
      default:
        throw badInput(
          `${field}.op`,
          "must be one of alias.create, alias.update, alias.delete, deployment.create, deployment.update, deployment.disable, deployment.enable, price.set, price.delete, tenant.policy, tenant.enable",
        );
    }
  }
  // So is pricing: one request may set a price and route to it, in any order.
  const unpriced = newUnpricedRoutes(state, working);
  if (unpriced.length > 0) throw badInput("operations", unpricedRoutesMessage(unpriced));
  // Narrowing is checked once every operation is in, against the request's policies as a whole.
  const policies = tenantPolicyWrites([...touched.values()].map(({ entity, id }) => ({ entity, id, value: currentValue(working, entity, id) })));
  for (const id of Object.keys(policies)) await checkTenantPolicyWrite(tx, id, policies[id]!, policies);
  const writes: EntityWrite[] = [];
  const bases: EntityWrite[] = [];
  const diff: DiffEntry[] = [];
  for (const { entity, id } of touched.values()) {
    const before = currentValue(state, entity, id);
    const after = currentValue(working, entity, id);
    const entries = diffEntity(entity, id, before, after);
    if (entries.length === 0) continue;
    writes.push({ entity, id, value: after });
    bases.push({ entity, id, value: before });
    diff.push(...entries);
  }
  if (writes.length === 0) throw badInput("operations", "change nothing: the configuration already looks like this");
  bases.push(...dependencyBases(writes, bases, state));
  return { writes, bases, diff, tenantIds: [...tenantIds].sort() };
}
