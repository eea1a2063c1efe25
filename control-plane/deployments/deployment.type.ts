import { Field, ID, Int, ObjectType } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";

/** A deployment's own vendor timeouts in ms; a null field is the proxy's default. */
@ObjectType("DeploymentTimeouts")
export class DeploymentTimeoutsType {
  @Field(() => Int, { nullable: true }) connectMs?: number;
  @Field(() => Int, { nullable: true }) firstByteMs?: number;
  @Field(() => Int, { nullable: true }) totalMs?: number;
}

@ObjectType()
export class Deployment {
  @Field(() => ID) id: string;
  @Field(() => String) provider: string;
  @Field(() => String) baseUrl: string;
  @Field(() => String) model: string;
  @Field(() => String) region: string;
  /** `env:NAME` or `file:/path`: where the proxy finds the vendor credential. Never the credential. */
  @Field(() => String) credentialRef: string;
  /** Where the vendor processes data (e.g. "eu"); null = unknown. */
  @Field(() => String, { nullable: true }) jurisdiction: string | null;
  /** e.g. ["baa"] */
  @Field(() => [String]) flags: string[];
  /** The deployment's own vendor timeouts; null = the proxy's defaults for all three. */
  @Field(() => DeploymentTimeoutsType, { nullable: true }) timeouts?: DeploymentTimeoutsType;
  /** active | disabled (kill switch or change request) */
  @Field(() => String) status: string;
  @Field(() => DateTimeResolver) createdAt: Date;
}

@ObjectType()
export class DeploymentConnection {
  @Field(() => [Deployment]) items: Deployment[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}
