import { Field, Float, ID, ObjectType } from "type-graphql";
import { DateTimeResolver, SafeIntResolver } from "graphql-scalars";

/**
 * Counts are SafeInt (up to 2^53), not GraphQL's 32-bit Int: a large tenant passes 2^31 tokens in a
 * month, and an Int field over it fails the whole query.
 */
@ObjectType()
export class SpendGroup {
  /** The vendor model (byModel) or the day `YYYY-MM-DD` in Spend.timeZone (byDay). */
  @Field(() => String) key: string;
  @Field(() => SafeIntResolver) requests: number;
  @Field(() => SafeIntResolver) inputTokens: number;
  @Field(() => SafeIntResolver) outputTokens: number;
  /** Integer micro-USD as a string, so sums beyond 2^53 stay exact. */
  @Field(() => String) costMicros: string;
  @Field(() => Float) costUsd: number;
}

@ObjectType()
export class Spend {
  @Field(() => ID) tenantId: string;
  @Field(() => DateTimeResolver) from: Date;
  @Field(() => DateTimeResolver) to: Date;
  @Field(() => SafeIntResolver) requests: number;
  @Field(() => SafeIntResolver) inputTokens: number;
  @Field(() => SafeIntResolver) outputTokens: number;
  @Field(() => String) costMicros: string;
  @Field(() => Float) costUsd: number;
  @Field(() => [SpendGroup]) byModel: SpendGroup[];
  /** By day in `timeZone` (the org's budget days), not UTC days. */
  @Field(() => [SpendGroup]) byDay: SpendGroup[];
  /** The IANA time zone byDay's days are in: the org's (root tenant's), as for budgets; UTC when unset. */
  @Field(() => String) timeZone: string;
}
