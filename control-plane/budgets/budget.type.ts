import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { DateTimeResolver, SafeIntResolver } from "graphql-scalars";

/** One region's lease on a budget level. */
@ObjectType()
export class RegionLease {
  @Field(() => String) region: string;
  /** Cumulative allowance for the period, micro-USD as a string. */
  @Field(() => String) grantedMicros: string;
  /** The region's spend as last known (max of the ledger and what the region reported). */
  @Field(() => String) spentMicros: string;
  @Field(() => DateTimeResolver) expiresAt: Date;
}

/** A budget level in its current period: spent (ledger), reserved (leases not yet spent), remaining. */
@ObjectType()
export class BudgetLevelStatus {
  /** `ten:<tenant id>` or `key:<key id>`. */
  @Field(() => String) scope: string;
  /** `day:YYYY-MM-DD` or `month:YYYY-MM` in the org's time zone. */
  @Field(() => String) period: string;
  @Field(() => String) capMicros: string;
  @Field(() => String) spentMicros: string;
  @Field(() => String, {
    description:
      "Held by the regions' leases beyond their spend, micro-USD: may still be spent. A lease that expired keeps its unspent grant held while its region may have spent it unseen (see control-plane/budgets/README.md), so remainingMicros is what another region can still be granted.",
  })
  reservedMicros: string;
  @Field(() => String) remainingMicros: string;
  @Field(() => Float) capUsd: number;
  @Field(() => Float) spentUsd: number;
  @Field(() => Float) reservedUsd: number;
  @Field(() => Float) remainingUsd: number;
  @Field(() => DateTimeResolver) periodEnd: Date;
  @Field(() => String) timeZone: string;
  @Field(() => [RegionLease]) regions: RegionLease[];
}

@ObjectType()
export class BudgetStatus {
  @Field(() => ID) tenantId: string;
  /** The tenant's own rate limits (null = none at this level). */
  @Field(() => Int, { nullable: true }) rpm: number | null;
  @Field(() => Int, { nullable: true }) tpm: number | null;
  /** Requests and tokens of the tenant's whole subtree the ledger recorded in the last 60 seconds. */
  @Field(() => Int) requestsLastMinute: number;
  /** SafeInt, not GraphQL's 32-bit Int (one event may carry billions of tokens); saturates at 2^53 - 1. */
  @Field(() => SafeIntResolver) tokensLastMinute: number;
  /** The daily and monthly levels that have a cap (empty when none is set). */
  @Field(() => [BudgetLevelStatus]) levels: BudgetLevelStatus[];
}

/** Rate limits and budgets of one key, with current usage from the ledger (last 60 s for rates). */
@ObjectType()
export class LimitStatus {
  @Field(() => ID) keyId: string;
  @Field(() => ID) tenantId: string;
  @Field(() => Int, { nullable: true }) rpm: number | null;
  @Field(() => Int, { nullable: true }) tpm: number | null;
  /** Requests and tokens the ledger recorded in the last 60 seconds (usage still in outboxes not included). */
  @Field(() => Int) requestsLastMinute: number;
  /** SafeInt, as BudgetStatus.tokensLastMinute. */
  @Field(() => SafeIntResolver) tokensLastMinute: number;
  @Field(() => [BudgetLevelStatus]) budgets: BudgetLevelStatus[];
}

/** One alert: a level's spend reached `thresholdPercent` of the cap (80, then 100) in a period. */
@ObjectType()
export class BudgetAlert {
  @Field(() => ID) id: string;
  @Field(() => ID) tenantId: string;
  @Field(() => String) scope: string;
  /** `day:YYYY-MM-DD` or `month:YYYY-MM`, a calendar period in `timeZone`. */
  @Field(() => String) period: string;
  /**
   * The zone the period was counted in (the org's when the alert was raised): after a zone change the
   * same label is another span of time, with alerts of its own, as the webhook body's timeZone says.
   */
  @Field(() => String) timeZone: string;
  /** The threshold as a fraction of the cap (0.8, 1). */
  @Field(() => Float) threshold: number;
  /** The threshold in percent of the cap: 80 or 100. Each fires once per level, period and cap. */
  @Field(() => Int) thresholdPercent: number;
  /** The cap it was reached against: a cap changed mid-period gets alerts of its own. */
  @Field(() => String) capMicros: string;
  @Field(() => String) spentMicros: string;
  @Field(() => DateTimeResolver) createdAt: Date;
  /** pending | delivered | failed; null when no webhook is configured. */
  @Field(() => String, { nullable: true }) deliveryStatus: string | null;
  @Field(() => Int) deliveryAttempts: number;
}
