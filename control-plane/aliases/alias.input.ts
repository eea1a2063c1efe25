import { Field, ID, InputType } from "type-graphql";

@InputType()
export class AliasInput {
  @Field(() => String) name: string;
  @Field(() => [ID]) deploymentIds: string[];
}
