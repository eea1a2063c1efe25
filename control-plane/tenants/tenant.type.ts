import { Field, Float, ID, Int, ObjectType } from "type-graphql";

/** Rate limits for one X-Feature-Id. */
@ObjectType()
export class FeatureLimit {
  @Field(() => String) feature: string;
  @Field(() => Int, { nullable: true }) rpm: number | null;
  @Field(() => Int, { nullable: true }) tpm: number | null;
}
import { DateTimeResolver } from "graphql-scalars";

/** A node of the tenant tree. Policy fields are this tenant's own; null inherits from the ancestors. */
@ObjectType()
export class Tenant {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => String) status: string;
  /** organization | team | project */
  @Field(() => String) kind: string;
  @Field(() => ID, { nullable: true }) parentId: string | null;
  @Field(() => DateTimeResolver) createdAt: Date;
  @Field(() => Int, { nullable: true }) rpm: number | null;
  @Field(() => Int, { nullable: true }) tpm: number | null;
  @Field(() => Float, { nullable: true }) dailyBudgetUsd: number | null;
  @Field(() => Float, { nullable: true }) monthlyBudgetUsd: number | null;
  @Field(() => [String], { nullable: true }) allowedAliases: string[] | null;
  @Field(() => [String], { nullable: true }) allowedJurisdictions: string[] | null;
  @Field(() => String, { nullable: true }) timeZone: string | null;
  @Field(() => Int, { nullable: true }) keyTtlDays: number | null;
  /** Admit budgeted requests when counters are unreachable; null inherits (default false). */
  @Field(() => Boolean, { nullable: true }) budgetFailOpen: boolean | null;
  /** Stored as {feature: {rpm, tpm}}; exposed as a sorted list by TenantResolver.featureLimits. */
  featureLimits: Record<string, { rpm: number | null; tpm: number | null }> | null;
}

@ObjectType()
export class TenantConnection {
  @Field(() => [Tenant]) items: Tenant[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}
