import { ArgsType, Field, ID, Int } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import { DEFAULT_TOP_GROUPS, MAX_TOP_GROUPS } from "./spend.repo.ts";

/** An args class keeps the schema's argument order as declared (tenantId, from, to, top). */
@ArgsType()
export class SpendArgs {
  @Field(() => ID) tenantId: string;
  /** Inclusive. */
  @Field(() => DateTimeResolver) from: Date;
  /** Exclusive. */
  @Field(() => DateTimeResolver) to: Date;
  @Field(() => Int, {
    defaultValue: DEFAULT_TOP_GROUPS,
    description: `byModel, byFeature and byKey list their \`top\` costliest groups (1 to ${MAX_TOP_GROUPS}), then one row with the key "(other)" summing the rest (its \`groups\` says how many), so each list still adds up to the total.`,
  })
  top: number;
}
