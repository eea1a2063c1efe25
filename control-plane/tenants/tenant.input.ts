import { Field, InputType } from "type-graphql";

@InputType()
export class CreateTenantInput {
  @Field(() => String) name: string;
}
