import { Field, Float, ID, InputType, Int } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";

@InputType()
export class CreateKeyInput {
  @Field(() => ID) tenantId: string;
  @Field(() => String) name: string;
  /** Default: now + the tenant's keyTtlDays (inherited), else 90 days. */
  @Field(() => DateTimeResolver, { nullable: true }) expiresAt?: Date | null;
  /** Aliases this key may call; omitted or null means every alias its tenant may call. */
  @Field(() => [String], { nullable: true }) allowedAliases?: string[] | null;
  /** Regions whose proxies accept this key; omitted or null means every region. */
  @Field(() => [String], { nullable: true }) allowedRegions?: string[] | null;
  /** Per-key limits and budgets; each must narrow what the tenant and its ancestors allow. */
  @Field(() => Int, { nullable: true }) rpm?: number | null;
  @Field(() => Int, { nullable: true }) tpm?: number | null;
  @Field(() => Float, { nullable: true }) dailyBudgetUsd?: number | null;
  @Field(() => Float, { nullable: true }) monthlyBudgetUsd?: number | null;
}

@InputType()
export class RotateKeyInput {
  @Field(() => ID) id: string;
  /** How long the old key keeps working, in hours (default 24, at most 720). */
  @Field(() => Float, { nullable: true }) graceHours?: number | null;
}
