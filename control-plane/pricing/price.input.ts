import { Field, Float, InputType, Int, type ClassType } from "type-graphql";

/**
 * Adds the per-class rates (USD per 1M tokens) a price and its long-context tier both carry, after
 * Base's own fields: type-graphql lists inherited fields first, so a mixin rather than a base class
 * keeps each input's field order (and the committed schema.graphql) as it was. Input and output are
 * required; a cached-input, cache-write or reasoning rate only when the vendor bills that class apart.
 */
function withPriceRates<TBase extends ClassType>(Base: TBase) {
  @InputType()
  abstract class PriceRatesInput extends Base {
    @Field(() => Float) inputUsdPerMillion: number;
    @Field(() => Float) outputUsdPerMillion: number;
    @Field(() => Float, { nullable: true }) cachedInputUsdPerMillion?: number | null;
    /** Prompt tokens written to the vendor's cache (Anthropic: 1.25x input for 5 minutes, 2x for 1 hour); absent = the input price. */
    @Field(() => Float, { nullable: true }) cacheWriteUsdPerMillion?: number | null;
    /** Hidden reasoning tokens, when the vendor prices them apart from output; absent = the output price. */
    @Field(() => Float, { nullable: true }) reasoningUsdPerMillion?: number | null;
  }
  return PriceRatesInput;
}

@InputType()
class LongContextThreshold {
  @Field(() => Int) thresholdTokens: number;
}

/**
 * The rates of a request whose prompt passes `thresholdTokens` (every input token, cached and
 * cache-write ones included), for every token class of that request: Gemini 2.5 Pro over 200k prompt
 * tokens, Claude Sonnet 4/4.5 (1M context) over 200k input tokens. It prices exactly the classes its
 * row prices: a cached-input, cache-write or reasoning price is required when the row has one and
 * refused when the row has none.
 */
@InputType()
export class LongContextPriceInput extends withPriceRates(LongContextThreshold) {}

@InputType()
class PricedModel {
  @Field(() => String) provider: string;
  @Field(() => String) model: string;
}

@InputType()
export class SetPriceInput extends withPriceRates(PricedModel) {
  /** A dearer rate for a long prompt; absent = none (setting a price without it clears it). */
  @Field(() => LongContextPriceInput, { nullable: true }) longContext?: LongContextPriceInput | null;
}
