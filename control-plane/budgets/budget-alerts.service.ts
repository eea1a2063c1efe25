/**
 * A tenant's budget alerts, newest first, with their webhook delivery state: a page (`first`, `skip`)
 * narrowed by level (`scope`) and raised time (`since`). NOT_FOUND for an id that is no tenant, as
 * budgetStatus (not an empty list).
 */
import { requireVisibleTenant } from "../auth/access.ts";
import { SPEND_READERS } from "../auth/field-policy.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput, notFound } from "../graphql/errors.ts";
import { MAX_ALERT_PAGE, type BudgetAlertsArgs } from "./budget-alerts.args.ts";
import type { BudgetAlert } from "./budget.type.ts";

export async function listBudgetAlerts(ctx: GraphQLContext, args: BudgetAlertsArgs): Promise<BudgetAlert[]> {
  const { tenantId, first, skip } = args;
  if (!Number.isInteger(first) || first < 1 || first > MAX_ALERT_PAGE) throw badInput("first", `must be an integer from 1 to ${MAX_ALERT_PAGE}`);
  if (!Number.isInteger(skip) || skip < 0) throw badInput("skip", "must be an integer, 0 or more");
  await requireVisibleTenant(ctx, SPEND_READERS, tenantId);
  if (!(await ctx.loaders.tenant.load(tenantId))) throw notFound("tenant", tenantId);
  const sql = ctx.deps.sql;
  return sql<(Omit<BudgetAlert, "capMicros" | "spentMicros"> & { capMicros: string; spentMicros: string })[]>`
    select a.id, a.tenant_id as "tenantId", a.scope, a.period, a.time_zone as "timeZone", a.threshold, a.threshold_percent as "thresholdPercent", a.cap_micros::text as "capMicros", a.spent_micros::text as "spentMicros",
      a.created_at as "createdAt", d.status as "deliveryStatus", coalesce(d.attempts, 0) as "deliveryAttempts"
    from budget_alerts a left join webhook_deliveries d on d.alert_id = a.id
    where a.tenant_id = ${tenantId}
      ${args.scope ? sql`and a.scope = ${args.scope}` : sql``}
      ${args.since ? sql`and a.created_at >= ${args.since}` : sql``}
    order by a.created_at desc, a.id limit ${first} offset ${skip}`;
}
