import { ArgsType, Field, ID, Int } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import { DEFAULT_TOP_GROUPS, MAX_TOP_GROUPS } from "./spend.repo.ts";

/** An args class keeps the schema's argument order as declared (tenantId, from, to, top, skip). */
@ArgsType()
export class SpendArgs {
  @Field(() => ID) tenantId: string;
  /** Inclusive. */
  @Field(() => DateTimeResolver) from: Date;
  /** Exclusive. */
  @Field(() => DateTimeResolver) to: Date;
  @Field(() => Int, {
    defaultValue: DEFAULT_TOP_GROUPS,
    description: `byModel, byFeature and byKey list \`top\` groups (1 to ${MAX_TOP_GROUPS}): with the groups ranked by cost (costliest first, ties by key), ranks \`skip\` + 1 to \`skip\` + \`top\`, in key order. Then one row with the key "(other)" sums every group not listed, before the page and after it (its \`groups\` says how many), so each list still adds up to the total.`,
  })
  top: number;
  @Field(() => Int, {
    defaultValue: 0,
    description: "How many of byModel's, byFeature's and byKey's groups ranked by cost to pass over before the `top` listed (0 or more): page through every group with skip = 0, top, 2 * top, … until a list holds only \"(other)\" or nothing. Each page is its own read: over a range still taking usage a group's rank can move between pages, so page over a range that has ended.",
  })
  skip: number;
}
