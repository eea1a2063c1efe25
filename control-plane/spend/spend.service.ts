/**
 * Spend for a tenant and everything under it (an org's spend includes its teams and projects):
 * totals, by vendor model, by day in the org's time zone (budget days), by feature and by gateway key,
 * from the usage ledger; model, feature and key lists bounded to a page (`skip`, `top`) by cost and "(other)".
 */
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput, notFound } from "../graphql/errors.ts";
import { runReport } from "../graphql/run-report.ts";
import { findTenant } from "../tenants/tenant.repo.ts";
import { requireVisibleTenant } from "../auth/access.ts";
import { SPEND_READERS } from "../auth/field-policy.ts";
import { aggregateSpendGroups, DEFAULT_TOP_GROUPS, MAX_TOP_GROUPS, type SpendRow } from "./spend.repo.ts";
import type { Spend, SpendGroup } from "./spend.type.ts";

function toGroup(row: SpendRow): SpendGroup {
  const micros = BigInt(row.costMicros ?? "0");
  return {
    key: row.key,
    name: row.name ?? null,
    requests: Number(row.requests),
    inputTokens: Number(row.inputTokens ?? 0),
    outputTokens: Number(row.outputTokens ?? 0),
    costMicros: micros.toString(),
    costUsd: Number(micros) / 1_000_000,
    groups: Number(row.groups ?? 1),
  };
}

export async function getSpend(ctx: GraphQLContext, tenantId: string, from: Date, to: Date, top = DEFAULT_TOP_GROUPS, skip = 0): Promise<Spend> {
  if (from.getTime() >= to.getTime()) throw badInput("to", "must be after from");
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP_GROUPS) throw badInput("top", `must be an integer from 1 to ${MAX_TOP_GROUPS}`);
  if (!Number.isInteger(skip) || skip < 0) throw badInput("skip", "must be an integer, 0 or more");
  // Outside a tenant admin's subtree answers exactly like a missing tenant; a viewer or approver who is
  // also a tenant admin is confined the same way, since its global role does not grant money.
  await requireVisibleTenant(ctx, SPEND_READERS, tenantId);
  // On the report pool, as a whole: a scan of the ledger never holds the proxies' connections.
  const groups = await runReport(ctx.deps, async (q) => {
    if (!(await findTenant(q, tenantId))) throw notFound("tenant", tenantId);
    // One statement, one snapshot of the ledger: the groups add up to the total even mid-ingest.
    return aggregateSpendGroups(q, tenantId, from, to, { top, skip });
  });
  const { timeZone, total, model: byModel, day: byDay, feature: byFeature, key: byKey } = groups;
  const sum = toGroup(total ?? { key: "total", requests: "0", inputTokens: null, outputTokens: null, costMicros: null });
  return {
    tenantId,
    from,
    to,
    requests: sum.requests,
    inputTokens: sum.inputTokens,
    outputTokens: sum.outputTokens,
    costMicros: sum.costMicros,
    costUsd: sum.costUsd,
    byModel: byModel.map(toGroup),
    byDay: byDay.map(toGroup),
    byFeature: byFeature.map(toGroup),
    byKey: byKey.map(toGroup),
    timeZone,
  };
}
