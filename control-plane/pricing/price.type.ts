import { Field, Float, ObjectType } from "type-graphql";

/** Prices in USD per 1M tokens as people type them; stored as integer micro-USD. */
@ObjectType()
export class Price {
  @Field(() => String) provider: string;
  @Field(() => String) model: string;
  @Field(() => Float) inputUsdPerMillion: number;
  @Field(() => Float) outputUsdPerMillion: number;
  @Field(() => Float, { nullable: true }) cachedInputUsdPerMillion: number | null;
}

@ObjectType()
export class PriceConnection {
  @Field(() => [Price]) items: Price[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}
