import { Field, ID, ObjectType } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";

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
  /** active | disabled (kill switch or change request) */
  @Field(() => String) status: string;
  @Field(() => DateTimeResolver) createdAt: Date;
}

@ObjectType()
export class DeploymentConnection {
  @Field(() => [Deployment]) items: Deployment[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}
