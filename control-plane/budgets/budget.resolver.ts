import { Arg, Args, Ctx, ID, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../graphql/context.ts";
import { BudgetAlertsArgs } from "./budget-alerts.args.ts";
import { listBudgetAlerts } from "./budget-alerts.service.ts";
import { getBudgetStatus, getLimitStatus } from "./budget-status.service.ts";
import { BudgetAlert, BudgetStatus, LimitStatus } from "./budget.type.ts";

@Resolver()
export class BudgetResolver {
  /** The tenant's capped budget levels in their current periods: spent, reserved by regional leases, remaining, period end. */
  @Query(() => BudgetStatus)
  budgetStatus(@Arg("tenantId", () => ID) tenantId: string, @Ctx() ctx: GraphQLContext): Promise<BudgetStatus> {
    return getBudgetStatus(ctx, tenantId);
  }

  /** A key's rate limits with last-minute usage from the ledger, and its budget levels. */
  @Query(() => LimitStatus)
  limitStatus(@Arg("keyId", () => ID) keyId: string, @Ctx() ctx: GraphQLContext): Promise<LimitStatus> {
    return getLimitStatus(ctx, keyId);
  }

  /** The 80% and 100% alerts raised for any level of the tenant (newest first, a page of `first` after `skip`), with their webhook delivery state. */
  @Query(() => [BudgetAlert])
  budgetAlerts(@Args(() => BudgetAlertsArgs) args: BudgetAlertsArgs, @Ctx() ctx: GraphQLContext): Promise<BudgetAlert[]> {
    return listBudgetAlerts(ctx, args);
  }
}
