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
  @Field(() => DateTimeResolver) createdAt: Date;
}
