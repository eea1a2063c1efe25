import { Field, Float, Int, ObjectType } from "type-graphql";

/** The rates of a request whose prompt passes thresholdTokens, for each class; a null class as on the price. */
@ObjectType()
export class LongContextPrice {
  @Field(() => Int) thresholdTokens: number;
  @Field(() => Float) inputUsdPerMillion: number;
  @Field(() => Float) outputUsdPerMillion: number;
  @Field(() => Float, { nullable: true }) cachedInputUsdPerMillion: number | null;
  @Field(() => Float, { nullable: true }) cacheWriteUsdPerMillion: number | null;
  @Field(() => Float, { nullable: true }) reasoningUsdPerMillion: number | null;
}

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
  /** Null: every prompt is priced at the rates above. */
  @Field(() => LongContextPrice, { nullable: true }) longContext: LongContextPrice | null;
}

@ObjectType()
export class PriceConnection {
  @Field(() => [Price]) items: Price[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}
