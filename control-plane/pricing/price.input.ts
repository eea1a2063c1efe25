import { Field, Float, InputType } from "type-graphql";

@InputType()
export class SetPriceInput {
  @Field(() => String) provider: string;
  @Field(() => String) model: string;
  @Field(() => Float) inputUsdPerMillion: number;
  @Field(() => Float) outputUsdPerMillion: number;
  @Field(() => Float, { nullable: true }) cachedInputUsdPerMillion?: number | null;
}
