/**
 * Budget and limit status for GraphQL: every capped level of a tenant or key in its current period,
 * spent from the ledger, reserved = what the regions' leases hold beyond their spend as a grant counts it
 * (grant-lease.ts: a live lease's unspent grant, and a lapsed one's while its region is silent since), remaining = cap − spent − reserved:
 * what another region could still be granted.
 */
import type { GraphQLContext } from "../graphql/context.ts";
import { notFound } from "../graphql/errors.ts";
import { requireVisibleTenant } from "../auth/access.ts";
import { SPEND_READERS } from "../auth/field-policy.ts";
import type { Queryable } from "../db/client.ts";
import { splitZonedPeriod } from "../../shared/leases/zoned-period.ts";
import { findBudgetLevel, ledgerSpendByRegion, levelScope, periodEnd, rootTimeZone } from "./budget-level.repo.ts";
import type { BudgetLevelStatus, BudgetStatus, LimitStatus } from "./budget.type.ts";
import { periodLabels } from "../../shared/time/local-date.ts";
import { leasesOf } from "./lease.repo.ts";
import { addMicros } from "./spend-ceiling.ts";
import { DEFAULT_LEASE_POLICY, leaseLapsed, unspentHeld, type LeasePolicy } from "./grant-lease.ts";
import { heardSinceLapse } from "./region-heard.repo.ts";
import { lineageLastMinuteUsage, subtreeLastMinuteUsage } from "./last-minute-usage.repo.ts";

const usd = (micros: number) => micros / 1_000_000;

/**
 * One level's status, or null when it has no cap. `period` is a label (in the org's zone) or a zoned
 * period (shared/leases/zoned-period.ts); the answer names the label and the zone apart.
 */
export async function levelStatus(q: Queryable, scope: string, period: string, now = new Date(), policy: LeasePolicy = DEFAULT_LEASE_POLICY): Promise<BudgetLevelStatus | null> {
  const level = await findBudgetLevel(q, scope, period);
  if (!level) return null;
  const label = splitZonedPeriod(period).label;
  const ledger = await ledgerSpendByRegion(q, level);
  const leases = await leasesOf(q, levelScope(level, scope), label, level.timeZone);
  const regions = new Set([...ledger.keys(), ...leases.map((l) => l.region)]);
  const heard = await heardSinceLapse(q, leases, now, policy);
  let spent = 0;
  let reserved = 0;
  const regionRows = [];
  for (const region of regions) {
    const lease = leases.find((l) => l.region === region);
    const regionSpent = Math.max(ledger.get(region)?.spentMicros ?? 0, lease?.reportedSpentMicros ?? 0);
    spent = addMicros(spent, ledger.get(region)?.spentMicros ?? 0);
    if (lease) reserved = addMicros(reserved, unspentHeld({ region, grantedMicros: lease.grantedMicros, spentMicros: regionSpent, lapsed: leaseLapsed(lease.expiresAt, now, policy), heardSinceLapse: heard.has(region) }));
    if (lease) regionRows.push({ region, grantedMicros: String(lease.grantedMicros), spentMicros: String(regionSpent), expiresAt: lease.expiresAt });
  }
  const remaining = Math.max(0, level.capMicros - addMicros(spent, reserved));
  return {
    scope,
    period: label,
    capMicros: String(level.capMicros),
    spentMicros: String(spent),
    reservedMicros: String(reserved),
    remainingMicros: String(remaining),
    capUsd: usd(level.capMicros),
    spentUsd: usd(spent),
    reservedUsd: usd(reserved),
    remainingUsd: usd(remaining),
    periodEnd: await periodEnd(q, level),
    timeZone: level.timeZone,
    regions: regionRows.sort((a, b) => a.region.localeCompare(b.region)),
  };
}

async function levelsOf(q: Queryable, scope: string, tenantId: string, now: Date): Promise<BudgetLevelStatus[]> {
  const periods = periodLabels(now, await rootTimeZone(q, tenantId));
  const out: BudgetLevelStatus[] = [];
  for (const period of [periods.day, periods.month]) {
    const status = await levelStatus(q, scope, period, now);
    if (status) out.push(status);
  }
  return out;
}

export async function getBudgetStatus(ctx: GraphQLContext, tenantId: string): Promise<BudgetStatus> {
  await requireVisibleTenant(ctx, SPEND_READERS, tenantId);
  const sql = ctx.deps.sql;
  const [tenant] = await sql<{ rpm: string | null; tpm: string | null }[]>`select rpm::text, tpm::text from tenants where id = ${tenantId}`;
  if (!tenant) throw notFound("tenant", tenantId);
  const usage = await subtreeLastMinuteUsage(sql, tenantId);
  return {
    tenantId,
    rpm: tenant.rpm === null ? null : Number(tenant.rpm),
    tpm: tenant.tpm === null ? null : Number(tenant.tpm),
    requestsLastMinute: usage.requests,
    tokensLastMinute: usage.tokens,
    levels: await levelsOf(sql, `ten:${tenantId}`, tenantId, new Date()),
  };
}

/** The key's lineage's status: a rotated key and the secrets it replaced are one key with one budget and limit. */
export async function getLimitStatus(ctx: GraphQLContext, keyId: string): Promise<LimitStatus> {
  const sql = ctx.deps.sql;
  const [key] = await sql<{ tenantId: string; lineageId: string; rpm: string | null; tpm: string | null }[]>`
    select tenant_id as "tenantId", lineage_id as "lineageId", rpm::text, tpm::text from gateway_keys where id = ${keyId}`;
  if (!key) throw notFound("key", keyId);
  // Outside a tenant admin's subtree answers exactly like a missing key.
  await requireVisibleTenant(ctx, SPEND_READERS, key.tenantId).catch(() => {
    throw notFound("key", keyId);
  });
  const usage = await lineageLastMinuteUsage(sql, key.lineageId);
  return {
    keyId,
    tenantId: key.tenantId,
    rpm: key.rpm === null ? null : Number(key.rpm),
    tpm: key.tpm === null ? null : Number(key.tpm),
    requestsLastMinute: usage.requests,
    tokensLastMinute: usage.tokens,
    budgets: await levelsOf(sql, `key:${key.lineageId}`, key.tenantId, new Date()),
  };
}
