/**
 * Key rules: the tenant must be in the caller's scope; the secret is shown once; every key expires
 * (the tenant's inherited keyTtlDays, else 90 days); a key's aliases stay within its tenant's;
 * rotation issues a new key of the same lineage (one budget and rate limit) and gives the old one a grace
 * period; revocation ends every secret of the lineage (only the one, for a rotated-away id) and is
 * idempotent.
 */
import { gatewayKeyDisplayPrefix, hashSecret, newGatewayKey, newId } from "../../shared/ids.ts";
import { requireTenantInScope } from "../auth/access.ts";
import type { Tx } from "../db/client.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput, conflict, notFound } from "../graphql/errors.ts";
import { MAX_KEY_ALIASES, MAX_KEY_REGIONS, requireAtMost } from "../graphql/list-bounds.ts";
import { requirePattern, requireText } from "../graphql/validate.ts";
import { ALIAS_NAME_PATTERN } from "../aliases/alias-name.ts";
import { REGION_NAME_PATTERN } from "../regions/region-name.ts";
import { runConfigChange } from "../snapshots/config-change.ts";
import { findTenant } from "../tenants/tenant.repo.ts";
import { checkNarrowing, effectivePolicy } from "../tenants/tenant-policy.ts";
import { EMPTY_TENANT_POLICY } from "../changes/policy-state.ts";
import { ancestorPolicies } from "../tenants/tenant.service.ts";
import type { CreateKeyInput, RotateKeyInput } from "./key.input.ts";
import { findKey, insertKey, markRotated, revokeSecrets } from "./key.repo.ts";
import type { CreatedKey, GatewayKey } from "./key.type.ts";
import { BUDGETS_KEPT, wholeMicros } from "../graphql/whole-micros.ts";

export const DEFAULT_KEY_TTL_DAYS = 90;
export const DEFAULT_GRACE_HOURS = 24;
const MAX_GRACE_HOURS = 720;
const DAY_MS = 86_400_000;

function checkList(field: string, value: string[] | null | undefined, pattern: RegExp, max: number): string[] | null {
  if (value === null || value === undefined) return null;
  requireAtMost(field, value, max);
  for (const [i, name] of value.entries()) requirePattern(`${field}[${i}]`, name, pattern);
  return [...new Set(value)];
}

export interface KeyLimits {
  rpm: number | null;
  tpm: number | null;
  dailyBudgetMicros: number | null;
  monthlyBudgetMicros: number | null;
}

function checkKeyLimits(input: CreateKeyInput): KeyLimits {
  const count = (field: "rpm" | "tpm") => {
    const v = input[field];
    if (v === undefined || v === null) return null;
    if (!Number.isInteger(v) || v < 0) throw badInput(field, "must be a non-negative integer");
    return v;
  };
  const usd = (field: "dailyBudgetUsd" | "monthlyBudgetUsd") => {
    const v = input[field];
    if (v === undefined || v === null) return null;
    if (!Number.isFinite(v) || v < 0 || v > 1e9) throw badInput(field, "must be between 0 and 1e9 USD");
    return wholeMicros(field, v, BUDGETS_KEPT);
  };
  return { rpm: count("rpm"), tpm: count("tpm"), dailyBudgetMicros: usd("dailyBudgetUsd"), monthlyBudgetMicros: usd("monthlyBudgetUsd") };
}

/**
 * Tenant in scope, expiry within the tenant's key TTL, and the aliases and limits the caller chose
 * within the tenant's. `chosen` is null for a rotation, which copies the old key's unchanged: a tenant
 * narrowed since may have left them wider, and enforcement bounds them by every level anyway, so
 * checking them again would leave such a key with no way to rotate.
 */
async function keyRules(tx: Tx, ctx: GraphQLContext, tenantId: string, expiresAt: Date | null, chosen: { allowedAliases: string[] | null; limits: KeyLimits } | null): Promise<Date> {
  await requireTenantInScope(ctx, tx, tenantId);
  if (!(await findTenant(tx, tenantId))) throw notFound("tenant", tenantId);
  const chain = await ancestorPolicies(tx, tenantId, true);
  // A key narrows its tenant like a child tenant would: limits at most every ancestor's.
  if (chosen) checkNarrowing({ ...EMPTY_TENANT_POLICY, ...chosen.limits }, chain);
  const [self, ...above] = chain;
  const policy = effectivePolicy(self!.policy, above);
  const ttlDays = policy.keyTtlDays ?? DEFAULT_KEY_TTL_DAYS;
  const latest = new Date(Date.now() + ttlDays * DAY_MS);
  if (expiresAt && expiresAt.getTime() > latest.getTime() + 60_000) throw badInput("expiresAt", `must be within the tenant's key TTL of ${ttlDays} days`);
  const allowedAliases = chosen?.allowedAliases;
  if (allowedAliases && policy.allowedAliases) {
    const extra = allowedAliases.filter((a) => !policy.allowedAliases!.includes(a));
    if (extra.length > 0) throw badInput("allowedAliases", `${extra.join(", ")} not in the tenant's allowed aliases [${policy.allowedAliases.join(", ")}]`);
  }
  return expiresAt ?? latest;
}

export async function createKey(ctx: GraphQLContext, input: CreateKeyInput): Promise<CreatedKey> {
  const name = requireText("name", input.name, 100);
  const requested = input.expiresAt ?? null;
  if (requested && requested.getTime() <= Date.now()) throw badInput("expiresAt", "must be in the future");
  const allowedAliases = checkList("allowedAliases", input.allowedAliases, ALIAS_NAME_PATTERN, MAX_KEY_ALIASES);
  const allowedRegions = checkList("allowedRegions", input.allowedRegions, REGION_NAME_PATTERN, MAX_KEY_REGIONS);
  const limits = checkKeyLimits(input);
  const secret = newGatewayKey();
  return runConfigChange(ctx.deps, ctx.who, async (tx) => {
    const expiresAt = await keyRules(tx, ctx, input.tenantId, requested, { allowedAliases, limits });
    const key = await insertKey(tx, {
      id: newId("key"),
      tenantId: input.tenantId,
      name,
      prefix: gatewayKeyDisplayPrefix(secret),
      keyHash: hashSecret(secret),
      expiresAt,
      allowedAliases,
      allowedRegions,
      ...limits,
    });
    return { result: { key, secret }, audit: { action: "key.create", target: key.id, after: key } };
  });
}

/** A key the caller may touch, else NOT_FOUND (outside the scope looks exactly like missing). */
async function requireKey(tx: Tx, ctx: GraphQLContext, id: string): Promise<GatewayKey> {
  const key = await findKey(tx, id);
  if (!key) throw notFound("key", id);
  await requireTenantInScope(ctx, tx, key.tenantId).catch(() => {
    throw notFound("key", id);
  });
  return key;
}

/**
 * Revoking a key ends every secret of its lineage: a rotated-away secret in its grace is the same key,
 * and left live it would keep working (up to MAX_GRACE_HOURS) after the key was revoked. Revoking a
 * rotated-away id (`rotatedTo` set) ends only that secret: its grace ends early, the key goes on under
 * its newer secret. A secret past its expiry is dead and left as it reads, expired, the one named too
 * (key.repo.ts revokeSecrets). The audit row names the ids revoked (`revokedKeyIds`).
 */
export async function revokeKey(ctx: GraphQLContext, id: string): Promise<GatewayKey> {
  return runConfigChange(ctx.deps, ctx.who, async (tx) => {
    const before = await requireKey(tx, ctx, id);
    const revokedKeyIds = await revokeSecrets(tx, id, before.rotatedTo === null);
    const after = (await findKey(tx, id))!;
    return { result: after, audit: { action: "key.revoke", target: id, before, after: { ...after, revokedKeyIds } } };
  });
}

/** A new secret with the same tenant, name and scopes; the old key stops at now + grace. */
export async function rotateKey(ctx: GraphQLContext, input: RotateKeyInput): Promise<CreatedKey> {
  const graceHours = input.graceHours ?? DEFAULT_GRACE_HOURS;
  if (!Number.isFinite(graceHours) || graceHours < 0 || graceHours > MAX_GRACE_HOURS) throw badInput("graceHours", `must be between 0 and ${MAX_GRACE_HOURS}`);
  const secret = newGatewayKey();
  return runConfigChange(ctx.deps, ctx.who, async (tx) => {
    const old = await requireKey(tx, ctx, input.id);
    if (old.status !== "active") throw conflict(`key ${old.id} is ${old.status}; only an active key can be rotated`);
    if (old.rotatedTo) throw conflict(`key ${old.id} was already rotated to ${old.rotatedTo}`);
    const limits: KeyLimits = {
      rpm: old.rpm,
      tpm: old.tpm,
      dailyBudgetMicros: old.dailyBudgetUsd === null ? null : Math.round(old.dailyBudgetUsd * 1_000_000),
      monthlyBudgetMicros: old.monthlyBudgetUsd === null ? null : Math.round(old.monthlyBudgetUsd * 1_000_000),
    };
    const expiresAt = await keyRules(tx, ctx, old.tenantId, null, null);
    const key = await insertKey(tx, {
      id: newId("key"),
      tenantId: old.tenantId,
      name: old.name,
      prefix: gatewayKeyDisplayPrefix(secret),
      keyHash: hashSecret(secret),
      expiresAt,
      allowedAliases: old.allowedAliases,
      allowedRegions: old.allowedRegions,
      ...limits,
      // The same key with a new secret: its budgets and limits go on counting under the lineage.
      lineageId: old.lineageId,
    });
    const graceEnd = new Date(Math.min(Date.now() + graceHours * 3_600_000, old.expiresAt?.getTime() ?? Infinity));
    const after = await markRotated(tx, old.id, graceEnd, key.id);
    return { result: { key, secret }, audit: { action: "key.rotate", target: old.id, before: old, after: { old: after, new: key } } };
  });
}
