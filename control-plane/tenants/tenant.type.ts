import { Field, ID, ObjectType } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";

@ObjectType()
export class Tenant {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => String) status: string;
  @Field(() => DateTimeResolver) createdAt: Date;
}
