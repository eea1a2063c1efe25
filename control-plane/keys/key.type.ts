import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";

@ObjectType()
export class GatewayKey {
  @Field(() => ID) id: string;
  @Field(() => ID) tenantId: string;
  @Field(() => String) name: string;
  /** The first characters of the secret: enough to recognise it, never enough to use it. */
  @Field(() => String) prefix: string;
  /** active | revoked | expired (expired: past expiresAt, not revoked) */
  @Field(() => String) status: string;
  @Field(() => DateTimeResolver) createdAt: Date;
  @Field(() => DateTimeResolver, { nullable: true }) expiresAt: Date | null;
  @Field(() => DateTimeResolver, { nullable: true }) revokedAt: Date | null;
  /** The latest usage event time seen for this key. */
  @Field(() => DateTimeResolver, { nullable: true }) lastUsedAt: Date | null;
  @Field(() => [String], { nullable: true }) allowedAliases: string[] | null;
  /** Regions whose snapshots carry this key; null = every region. */
  @Field(() => [String], { nullable: true }) allowedRegions: string[] | null;
  @Field(() => Int, { nullable: true }) rpm: number | null;
  @Field(() => Int, { nullable: true }) tpm: number | null;
  @Field(() => Float, { nullable: true }) dailyBudgetUsd: number | null;
  @Field(() => Float, { nullable: true }) monthlyBudgetUsd: number | null;
  /** Set on a rotated key: the id of the key that replaced it. */
  @Field(() => ID, { nullable: true }) rotatedTo: string | null;
  /** A rotated key is the same key with a new secret: every key of a lineage counts as one. */
  @Field(() => ID, { description: "The id of the key this one's rotations started from (its own id when it replaced none): budgets, rate limits and spend.byKey count every key of the lineage as one, under `key:<lineageId>`." })
  lineageId: string;
}

@ObjectType()
export class CreatedKey {
  @Field(() => GatewayKey) key: GatewayKey;
  /** Shown once; only its SHA-256 is stored. */
  @Field(() => String) secret: string;
}

@ObjectType()
export class KeyConnection {
  @Field(() => [GatewayKey]) items: GatewayKey[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}
