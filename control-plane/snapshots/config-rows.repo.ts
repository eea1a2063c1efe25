/** Reads everything a snapshot is compiled from, inside the transaction of the change. */
import type { Queryable } from "../db/client.ts";
import type { ConfigRows } from "./compile-snapshot.ts";
import { listPriceMicros } from "../pricing/price.repo.ts";
import { timeoutsFromRow } from "../deployments/deployment-timeouts.ts";

export async function loadConfigRows(q: Queryable): Promise<ConfigRows> {
  const tenantRows = await q<(ConfigRows["tenants"][number] & { rpm: string | null; tpm: string | null; daily: string | null; monthly: string | null })[]>`
    select id, name, status, kind, parent_id as "parentId", rpm, tpm, daily_budget_micros as daily, monthly_budget_micros as monthly,
      allowed_aliases as "allowedAliases", allowed_jurisdictions as "allowedJurisdictions", time_zone as "timeZone",
      budget_fail_open as "budgetFailOpen", feature_limits as "featureLimits"
    from tenants order by id`;
  const n = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));
  const tenants = tenantRows.map(({ daily, monthly, ...t }) => ({ ...t, rpm: n(t.rpm), tpm: n(t.tpm), dailyBudgetMicros: n(daily), monthlyBudgetMicros: n(monthly) }));
  const keyRows = await q<(ConfigRows["keys"][number] & { rpm: string | null; tpm: string | null; daily: string | null; monthly: string | null })[]>`
    select id, tenant_id as "tenantId", name, key_hash as "keyHash", status, expires_at as "expiresAt",
           allowed_aliases as "allowedAliases", allowed_regions as "allowedRegions",
           rpm, tpm, daily_budget_micros as daily, monthly_budget_micros as monthly, lineage_id as "lineageId"
    from gateway_keys order by id`;
  const deploymentRows = await q<(ConfigRows["deployments"][number] & { connectMs: number | null; firstByteMs: number | null; totalMs: number | null })[]>`
    select id, provider, base_url as "baseUrl", model, region, credential_ref as "credentialRef", jurisdiction, flags, status,
      connect_timeout_ms as "connectMs", first_byte_timeout_ms as "firstByteMs", total_timeout_ms as "totalMs"
    from deployments order by id`;
  const deployments = deploymentRows.map(({ connectMs, firstByteMs, totalMs, ...d }) => ({ ...d, timeouts: timeoutsFromRow({ connectMs, firstByteMs, totalMs }) ?? null }));
  const chains = await q<{ name: string; deploymentId: string | null }[]>`
    select a.name, ad.deployment_id as "deploymentId"
    from aliases a left join alias_deployments ad on ad.alias_name = a.name
    order by a.name, ad.position`;
  const byAlias = new Map<string, string[]>();
  for (const row of chains) {
    const chain = byAlias.get(row.name) ?? [];
    if (row.deploymentId) chain.push(row.deploymentId);
    byAlias.set(row.name, chain);
  }
  const prices = await listPriceMicros(q);
  const regions = await q<{ name: string; publicUrl: string | null }[]>`select name, public_url as "publicUrl" from regions order by name`;
  return {
    tenants,
    keys: keyRows.map(({ daily, monthly, ...k }) => ({ ...k, rpm: n(k.rpm), tpm: n(k.tpm), dailyBudgetMicros: n(daily), monthlyBudgetMicros: n(monthly) })),
    deployments: [...deployments],
    aliases: [...byAlias].map(([name, deploymentIds]) => ({ name, deploymentIds })),
    prices,
    regions: [...regions],
  };
}
