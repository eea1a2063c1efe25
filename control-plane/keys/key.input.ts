import { Field, ID, InputType } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";

@InputType()
export class CreateKeyInput {
  @Field(() => ID) tenantId: string;
  @Field(() => String) name: string;
  @Field(() => DateTimeResolver, { nullable: true }) expiresAt?: Date | null;
  /** Aliases this key may call; omitted or null means every alias. */
  @Field(() => [String], { nullable: true }) allowedAliases?: string[] | null;
}
