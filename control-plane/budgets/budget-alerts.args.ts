import { DateTimeResolver } from "graphql-scalars";
import { ArgsType, Field, ID, Int } from "type-graphql";

/** The alerts one budgetAlerts call answers by default, and the most it answers. */
export const DEFAULT_ALERT_PAGE = 200;
export const MAX_ALERT_PAGE = 500;

/** An args class keeps the schema's argument order as declared (tenantId, first, skip, scope, since). */
@ArgsType()
export class BudgetAlertsArgs {
  @Field(() => ID) tenantId: string;
  @Field(() => Int, {
    defaultValue: DEFAULT_ALERT_PAGE,
    description: `How many alerts to answer (1 to ${MAX_ALERT_PAGE}), newest first.`,
  })
  first: number;
  @Field(() => Int, {
    defaultValue: 0,
    description:
      "How many of the newest alerts to pass over before the `first` answered (0 or more): page with skip = 0, first, 2 * first, … until a page is short. Each alert raised between pages moves the rest down one, so a page may repeat alerts of the previous one (it never misses one); `since` keeps a walk to a fixed window.",
  })
  skip: number;
  @Field(() => String, { nullable: true, description: "Only this level's alerts: `ten:<tenant id>` or `key:<lineage id>`." })
  scope?: string | null;
  @Field(() => DateTimeResolver, { nullable: true, description: "Only alerts raised at or after this time." })
  since?: Date | null;
}
