import { Field, Float, ID, ObjectType } from "type-graphql";
import { DateTimeResolver, SafeIntResolver } from "graphql-scalars";

/**
 * Counts are SafeInt (up to 2^53), not GraphQL's 32-bit Int: a large tenant passes 2^31 tokens in a
 * month, and an Int field over it fails the whole query.
 */
@ObjectType()
export class SpendGroup {
  /** The vendor model (byModel), the day `YYYY-MM-DD` in Spend.timeZone (byDay), the feature id (byFeature) or the gateway key id (byKey). */
  @Field(() => String) key: string;
  /** Nullable and only set by byKey, so the groups that came before keep their shape. */
  @Field(() => String, { nullable: true, description: "The gateway key's name (byKey; null for a key outside the queried tenant's subtree); null in the other groups." })
  name: string | null;
  @Field(() => SafeIntResolver) requests: number;
  @Field(() => SafeIntResolver) inputTokens: number;
  @Field(() => SafeIntResolver) outputTokens: number;
  /** Integer micro-USD as a string, so sums beyond 2^53 stay exact. */
  @Field(() => String) costMicros: string;
  @Field(() => Float) costUsd: number;
  @Field(() => SafeIntResolver, { description: 'How many groups this row sums: 1, or on the "(other)" row of byModel, byFeature and byKey the groups not listed (outside spend\'s `skip` and `top`).' })
  groups: number;
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
  @Field(() => [SpendGroup], { description: 'By vendor model: a page by cost (spend\'s `skip` and `top`), then "(other)" summing the rest.' })
  byModel: SpendGroup[];
  /** By day in `timeZone` (the org's budget days), not UTC days. */
  @Field(() => [SpendGroup]) byDay: SpendGroup[];
  // Descriptions in the schema: a client reading byFeature needs to know what "(none)" stands for.
  @Field(() => [SpendGroup], {
    description:
      'By feature (`X-Feature-Id`): a page of features by cost (spend\'s `skip` and `top`), then "(other)" summing the rest. Events sent without the header are grouped under the key "(none)"; feature ids are 1-64 characters of A-Z a-z 0-9 . _ : -, so no real feature can be named "(none)" or "(other)"',
  })
  byFeature: SpendGroup[];
  @Field(() => [SpendGroup], { description: 'By gateway key: `key` is the key\'s lineageId (the id of the key its rotations started from: a rotated key and the secrets it replaced are one row), `name` its name; a page of keys by cost (spend\'s `skip` and `top`), then "(other)" summing the rest.' })
  byKey: SpendGroup[];
  /** The IANA time zone byDay's days are in: the org's (root tenant's), as for budgets; UTC when unset. */
  @Field(() => String) timeZone: string;
}
