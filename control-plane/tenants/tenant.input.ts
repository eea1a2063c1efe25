import { Field, Float, ID, InputType, Int } from "type-graphql";

@InputType()
export class FeatureLimitInput {
  @Field(() => String) feature: string;
  @Field(() => Int, { nullable: true }) rpm?: number | null;
  @Field(() => Int, { nullable: true }) tpm?: number | null;
}

@InputType()
export class CreateTenantInput {
  @Field(() => String) name: string;
  /** organization (default for a root) | team | project */
  @Field(() => String, { nullable: true }) kind?: string | null;
  @Field(() => ID, { nullable: true }) parentId?: string | null;
}

/**
 * A tenant's own policy, proposed through a change request. An omitted field keeps its value, null
 * clears it (inherit). A child may narrow, never widen, what its ancestors allow.
 */
@InputType()
export class TenantPolicyInput {
  @Field(() => Int, { nullable: true }) rpm?: number | null;
  @Field(() => Int, { nullable: true }) tpm?: number | null;
  @Field(() => Float, { nullable: true }) dailyBudgetUsd?: number | null;
  @Field(() => Float, { nullable: true }) monthlyBudgetUsd?: number | null;
  @Field(() => [String], { nullable: true }) allowedAliases?: string[] | null;
  @Field(() => [String], { nullable: true }) allowedJurisdictions?: string[] | null;
  @Field(() => String, { nullable: true }) timeZone?: string | null;
  @Field(() => Int, { nullable: true }) keyTtlDays?: number | null;
  /** true admits budgeted requests when the counters are unreachable; a child cannot turn on what an ancestor turned off. */
  @Field(() => Boolean, { nullable: true }) budgetFailOpen?: boolean | null;
  /** Replaces the whole per-feature table; null clears it. */
  @Field(() => [FeatureLimitInput], { nullable: true }) featureLimits?: FeatureLimitInput[] | null;
}
