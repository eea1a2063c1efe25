import { Field, InputType } from "type-graphql";

@InputType()
export class CreateRegionInput {
  @Field(() => String) name: string;
}
