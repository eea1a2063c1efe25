/** Reads the policy state from the tables, applies entity writes to them, and stores a state per config version. */
import type { Queryable, Tx } from "../db/client.ts";
import type { AliasValue, DeploymentValue, EntityWrite, PolicyState, PriceValue, TenantPolicyValue } from "./policy-state.ts";
import { EMPTY_TENANT_POLICY, deploymentValue, emptyPolicyState, ownEntry, priceValue } from "./policy-state.ts";
import { timeoutColumns, timeoutsFromRow } from "../deployments/deployment-timeouts.ts";
import { LONG_CONTEXT_COLUMNS, LONG_CONTEXT_INSERT, LONG_CONTEXT_UPDATE, longContextFromRow, longContextParams, type LongContextRow } from "../pricing/long-context.ts";

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));

export async function loadPolicyState(q: Queryable): Promise<PolicyState> {
  const state: PolicyState = emptyPolicyState();
  const chains = await q<{ name: string; deploymentId: string | null }[]>`
    select a.name, ad.deployment_id as "deploymentId" from aliases a
    left join alias_deployments ad on ad.alias_name = a.name order by a.name, ad.position`;
  for (const row of chains) {
    const alias: AliasValue = ownEntry(state.alias, row.name) ?? { deploymentIds: [] };
    if (row.deploymentId) alias.deploymentIds.push(row.deploymentId);
    state.alias[row.name] = alias;
  }
  const deployments = await q<(Omit<DeploymentValue, "timeouts"> & { id: string; connectMs: number | null; firstByteMs: number | null; totalMs: number | null })[]>`
    select id, provider, base_url as "baseUrl", model, region, credential_ref as "credentialRef", jurisdiction, flags, status,
      connect_timeout_ms as "connectMs", first_byte_timeout_ms as "firstByteMs", total_timeout_ms as "totalMs"
    from deployments order by id`;
  for (const { id, connectMs, firstByteMs, totalMs, ...d } of deployments) {
    state.deployment[id] = deploymentValue({ ...d, flags: [...d.flags], timeouts: timeoutsFromRow({ connectMs, firstByteMs, totalMs }) });
  }
  const prices = await q.unsafe<
    ({ provider: string; model: string; inputMicros: string; outputMicros: string; cachedInputMicros: string | null; cacheWriteMicros: string | null; reasoningMicros: string | null } & LongContextRow)[]
  >(`
    select provider, model, input_micros as "inputMicros", output_micros as "outputMicros", cached_input_micros as "cachedInputMicros",
      cache_write_micros as "cacheWriteMicros", reasoning_micros as "reasoningMicros", ${LONG_CONTEXT_COLUMNS}
    from prices order by provider, model`);
  for (const p of prices) {
    state.price[`${p.provider}:${p.model}`] = priceValue({
      provider: p.provider,
      model: p.model,
      inputMicros: Number(p.inputMicros),
      outputMicros: Number(p.outputMicros),
      cachedInputMicros: num(p.cachedInputMicros),
      cacheWriteMicros: num(p.cacheWriteMicros),
      reasoningMicros: num(p.reasoningMicros),
      longContext: longContextFromRow(p),
    });
  }
  const tenants = await q<{ id: string; rpm: string | null; tpm: string | null; daily: string | null; monthly: string | null; allowedAliases: string[] | null; allowedJurisdictions: string[] | null; timeZone: string | null; keyTtlDays: number | null; budgetFailOpen: boolean | null; featureLimits: TenantPolicyValue["featureLimits"] }[]>`
    select id, rpm, tpm, daily_budget_micros as daily, monthly_budget_micros as monthly, allowed_aliases as "allowedAliases",
      allowed_jurisdictions as "allowedJurisdictions", time_zone as "timeZone", key_ttl_days as "keyTtlDays",
      budget_fail_open as "budgetFailOpen", feature_limits as "featureLimits"
    from tenants order by id`;
  for (const t of await q<{ id: string }[]>`select id from tenants where status = 'disabled' order by id`) state.tenantStatus![t.id] = { status: "disabled" };
  for (const t of tenants) {
    const policy: TenantPolicyValue = {
      rpm: num(t.rpm),
      tpm: num(t.tpm),
      dailyBudgetMicros: num(t.daily),
      monthlyBudgetMicros: num(t.monthly),
      allowedAliases: t.allowedAliases ? [...t.allowedAliases] : null,
      allowedJurisdictions: t.allowedJurisdictions ? [...t.allowedJurisdictions] : null,
      timeZone: t.timeZone,
      keyTtlDays: t.keyTtlDays,
      budgetFailOpen: t.budgetFailOpen,
      featureLimits: t.featureLimits ?? null,
    };
    // Only tenants with some policy appear, so creating a tenant does not make every rollback touch it.
    if (Object.values(policy).some((v) => v !== null)) state.tenantPolicy[t.id] = policy;
  }
  return state;
}

const arr = (q: Queryable, v: string[] | null) => (v === null ? null : q.array(v));

/** Applies one write to the tables. The caller validated it and holds the config lock. */
export async function applyWrite(tx: Tx, write: EntityWrite): Promise<void> {
  switch (write.entity) {
    case "alias": {
      if (write.value === null) {
        await tx`delete from aliases where name = ${write.id}`;
        return;
      }
      const { deploymentIds } = write.value as unknown as AliasValue;
      await tx`insert into aliases (name) values (${write.id}) on conflict (name) do nothing`;
      await tx`delete from alias_deployments where alias_name = ${write.id}`;
      for (const [position, deploymentId] of deploymentIds.entries()) {
        await tx`insert into alias_deployments (alias_name, position, deployment_id) values (${write.id}, ${position}, ${deploymentId})`;
      }
      return;
    }
    case "deployment": {
      if (write.value === null) {
        await tx`update deployments set status = 'disabled' where id = ${write.id}`;
        return;
      }
      const d = write.value as unknown as DeploymentValue;
      // Every timeout column is set: one the write lacks (a state stored before timeouts) is cleared.
      const [connectMs, firstByteMs, totalMs] = timeoutColumns(d.timeouts);
      await tx`insert into deployments (id, provider, base_url, model, region, credential_ref, jurisdiction, flags, status,
          connect_timeout_ms, first_byte_timeout_ms, total_timeout_ms)
        values (${write.id}, ${d.provider}, ${d.baseUrl}, ${d.model}, ${d.region}, ${d.credentialRef}, ${d.jurisdiction}, ${tx.array(d.flags)}, ${d.status},
          ${connectMs}, ${firstByteMs}, ${totalMs})
        on conflict (id) do update set provider = excluded.provider, base_url = excluded.base_url, model = excluded.model,
          region = excluded.region, credential_ref = excluded.credential_ref, jurisdiction = excluded.jurisdiction,
          flags = excluded.flags, status = excluded.status, connect_timeout_ms = excluded.connect_timeout_ms,
          first_byte_timeout_ms = excluded.first_byte_timeout_ms, total_timeout_ms = excluded.total_timeout_ms`;
      return;
    }
    case "price": {
      if (write.value === null) {
        const [provider, ...model] = write.id.split(":");
        await tx`delete from prices where provider = ${provider!} and model = ${model.join(":")}`;
        return;
      }
      const p = write.value as unknown as PriceValue;
      // Every column is set, as setPrice sets them: a cache-write or reasoning price, or a long-context tier, the write lacks is cleared.
      await tx.unsafe(
        `insert into prices (provider, model, input_micros, output_micros, cached_input_micros, cache_write_micros, reasoning_micros, ${LONG_CONTEXT_INSERT})
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        on conflict (provider, model) do update set input_micros = excluded.input_micros, output_micros = excluded.output_micros,
          cached_input_micros = excluded.cached_input_micros, cache_write_micros = excluded.cache_write_micros,
          reasoning_micros = excluded.reasoning_micros, ${LONG_CONTEXT_UPDATE}, updated_at = now()`,
        [p.provider, p.model, p.inputMicros, p.outputMicros, p.cachedInputMicros ?? null, p.cacheWriteMicros ?? null, p.reasoningMicros ?? null, ...longContextParams(p.longContext)],
      );
      return;
    }
    case "tenantStatus": {
      await tx`update tenants set status = ${write.value === null ? "active" : "disabled"} where id = ${write.id}`;
      return;
    }
    case "tenantPolicy": {
      const p = (write.value ?? EMPTY_TENANT_POLICY) as unknown as TenantPolicyValue;
      await tx`update tenants set rpm = ${p.rpm}, tpm = ${p.tpm}, daily_budget_micros = ${p.dailyBudgetMicros},
        monthly_budget_micros = ${p.monthlyBudgetMicros}, allowed_aliases = ${arr(tx, p.allowedAliases)},
        allowed_jurisdictions = ${arr(tx, p.allowedJurisdictions)}, time_zone = ${p.timeZone}, key_ttl_days = ${p.keyTtlDays},
        budget_fail_open = ${p.budgetFailOpen ?? null}, feature_limits = ${p.featureLimits ? tx.json(p.featureLimits as never) : null}
        where id = ${write.id}`;
      return;
    }
  }
}

export async function storeConfigState(tx: Tx, version: number, state: PolicyState): Promise<void> {
  await tx`insert into config_states (version, state) values (${version}, ${tx.json(state as never)})
    on conflict (version) do update set state = excluded.state`;
}

export async function findConfigState(q: Queryable, version: number): Promise<PolicyState | null> {
  const [row] = await q<{ state: PolicyState }[]>`select state from config_states where version = ${version}`;
  return row?.state ?? null;
}
