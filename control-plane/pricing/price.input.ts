import { Field, Float, InputType } from "type-graphql";

@InputType()
export class SetPriceInput {
  @Field(() => String) provider: string;
  @Field(() => String) model: string;
  @Field(() => Float) inputUsdPerMillion: number;
  @Field(() => Float) outputUsdPerMillion: number;
  @Field(() => Float, { nullable: true }) cachedInputUsdPerMillion?: number | null;
  /** Prompt tokens written to the vendor's cache (Anthropic: 1.25x input for 5 minutes, 2x for 1 hour); absent = the input price. */
  @Field(() => Float, { nullable: true }) cacheWriteUsdPerMillion?: number | null;
  /** Hidden reasoning tokens, when the vendor prices them apart from output; absent = the output price. */
  @Field(() => Float, { nullable: true }) reasoningUsdPerMillion?: number | null;
}
