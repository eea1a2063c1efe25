import { ArgsType, Field, ID } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";

/** An args class keeps the schema's argument order as declared (tenantId, from, to). */
@ArgsType()
export class SpendArgs {
  @Field(() => ID) tenantId: string;
  /** Inclusive. */
  @Field(() => DateTimeResolver) from: Date;
  /** Exclusive. */
  @Field(() => DateTimeResolver) to: Date;
}
