import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";

@ObjectType()
export class SpendGroup {
  /** The vendor model (byModel) or the UTC day `YYYY-MM-DD` (byDay). */
  @Field(() => String) key: string;
  @Field(() => Int) requests: number;
  @Field(() => Int) inputTokens: number;
  @Field(() => Int) outputTokens: number;
  /** Integer micro-USD as a string, so sums beyond 2^53 stay exact. */
  @Field(() => String) costMicros: string;
  @Field(() => Float) costUsd: number;
}

@ObjectType()
export class Spend {
  @Field(() => ID) tenantId: string;
  @Field(() => DateTimeResolver) from: Date;
  @Field(() => DateTimeResolver) to: Date;
  @Field(() => Int) requests: number;
  @Field(() => Int) inputTokens: number;
  @Field(() => Int) outputTokens: number;
  @Field(() => String) costMicros: string;
  @Field(() => Float) costUsd: number;
  @Field(() => [SpendGroup]) byModel: SpendGroup[];
  @Field(() => [SpendGroup]) byDay: SpendGroup[];
}
