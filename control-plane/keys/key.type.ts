import { Field, ID, ObjectType } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";

@ObjectType()
export class GatewayKey {
  @Field(() => ID) id: string;
  @Field(() => ID) tenantId: string;
  @Field(() => String) name: string;
  /** The first characters of the secret: enough to recognise it, never enough to use it. */
  @Field(() => String) prefix: string;
  @Field(() => String) status: string;
  @Field(() => DateTimeResolver) createdAt: Date;
  @Field(() => DateTimeResolver, { nullable: true }) expiresAt: Date | null;
  @Field(() => DateTimeResolver, { nullable: true }) revokedAt: Date | null;
  @Field(() => [String], { nullable: true }) allowedAliases: string[] | null;
}

@ObjectType()
export class CreatedKey {
  @Field(() => GatewayKey) key: GatewayKey;
  /** Shown once; only its SHA-256 is stored. */
  @Field(() => String) secret: string;
}
