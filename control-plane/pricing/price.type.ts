import { Field, Float, ObjectType } from "type-graphql";

/** Prices in USD per 1M tokens as people type them; stored as integer micro-USD. */
@ObjectType()
export class Price {
  @Field(() => String) provider: string;
  @Field(() => String) model: string;
  @Field(() => Float) inputUsdPerMillion: number;
  @Field(() => Float) outputUsdPerMillion: number;
  @Field(() => Float, { nullable: true }) cachedInputUsdPerMillion: number | null;
  /** Null: cache writes cost the input price. */
  @Field(() => Float, { nullable: true }) cacheWriteUsdPerMillion: number | null;
  /** Null: reasoning tokens cost the output price. */
  @Field(() => Float, { nullable: true }) reasoningUsdPerMillion: number | null;
}

@ObjectType()
export class PriceConnection {
  @Field(() => [Price]) items: Price[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}
