/** Price rules: non-negative, finite, converted once to integer micro-USD per 1M tokens (a non-zero price never to 0). */
import { requireProvider } from "../deployments/deployment.service.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput } from "../graphql/errors.ts";
import { requireNonNegative, requireText } from "../graphql/validate.ts";
import { wholeMicros } from "../graphql/whole-micros.ts";
import { runConfigChange } from "../snapshots/config-change.ts";
import { longContextValue, type LongContextMicros } from "./long-context.ts";
import type { LongContextPriceInput, SetPriceInput } from "./price.input.ts";
import { findPrice, upsertPrice } from "./price.repo.ts";
import type { Price } from "./price.type.ts";

/** $1M per 1M tokens: far above any real price (a cost is exact to the µ$ up to ~$9,000 a request: shared/money/cost.ts). */
const MAX_USD_PER_MILLION = 1_000_000;

function toMicros(field: string, usd: number): number {
  requireNonNegative(field, usd);
  if (usd > MAX_USD_PER_MILLION) throw badInput(field, `must be at most ${MAX_USD_PER_MILLION}`);
  // Stored in whole micro-USD per 1M tokens: a price that rounds to 0 would serve the model for free.
  return wholeMicros(field, usd, "prices are kept in whole micro-USD per 1M tokens");
}

function optionalMicros(field: string, usd: number | null | undefined): number | null {
  return usd === null || usd === undefined ? null : toMicros(field, usd);
}

/**
 * Validates a price input into the stored row (micro-USD per 1M tokens), every optional class null
 * when absent. setPrice stores it; a `price.set` change request carries it (changes/build-writes), so
 * both set every column and a price set without a cache-write or reasoning price clears it.
 * `prefix` goes before every field a refusal names: `operations[3].price.` inside a proposal, so the
 * admin sees which operation was refused; nothing for setPrice's own arguments.
 *
 * @example priceRow({ ...input, inputUsdPerMillion: -1 }, "operations[3].price.") // throws "operations[3].price.inputUsdPerMillion: ..."
 */
export function priceRow(input: SetPriceInput, prefix = "") {
  const row = {
    provider: requireProvider(`${prefix}provider`, input.provider),
    model: requireText(`${prefix}model`, input.model, 200),
    inputMicros: toMicros(`${prefix}inputUsdPerMillion`, input.inputUsdPerMillion),
    outputMicros: toMicros(`${prefix}outputUsdPerMillion`, input.outputUsdPerMillion),
    cachedInputMicros: optionalMicros(`${prefix}cachedInputUsdPerMillion`, input.cachedInputUsdPerMillion),
    cacheWriteMicros: optionalMicros(`${prefix}cacheWriteUsdPerMillion`, input.cacheWriteUsdPerMillion),
    reasoningMicros: optionalMicros(`${prefix}reasoningUsdPerMillion`, input.reasoningUsdPerMillion),
  };
  return { ...row, longContext: input.longContext ? tierRow(input.longContext, row, `${prefix}longContext.`) : null };
}

const TIER_CLASSES = [
  ["cachedInputUsdPerMillion", "cachedInputMicros", "cached-input"],
  ["cacheWriteUsdPerMillion", "cacheWriteMicros", "cache-write"],
  ["reasoningUsdPerMillion", "reasoningMicros", "reasoning"],
] as const;

/**
 * A long-context tier prices every class its row prices, and only those: a tier left without one
 * would price that class of a long request at the base rate (what the tier exists to stop), and one
 * the row lacks would make a class dearer only past the threshold, which no vendor bills.
 */
function tierRow(tier: LongContextPriceInput, row: Record<(typeof TIER_CLASSES)[number][1], number | null>, prefix: string): LongContextMicros {
  if (!Number.isSafeInteger(tier.thresholdTokens) || tier.thresholdTokens < 1) throw badInput(`${prefix}thresholdTokens`, "must be a whole number of prompt tokens, at least 1");
  const out: LongContextMicros = {
    thresholdTokens: tier.thresholdTokens,
    inputMicros: toMicros(`${prefix}inputUsdPerMillion`, tier.inputUsdPerMillion),
    outputMicros: toMicros(`${prefix}outputUsdPerMillion`, tier.outputUsdPerMillion),
  };
  for (const [field, column, name] of TIER_CLASSES) {
    const usd = tier[field];
    const given = usd !== null && usd !== undefined;
    if (row[column] !== null && !given) throw badInput(`${prefix}${field}`, `is required: the price has a ${name} price, so its long-context tier needs one`);
    if (row[column] === null && given) throw badInput(`${prefix}${field}`, `must be left out: the price has no ${name} price (a tier prices the classes its price does)`);
    if (given) out[column] = toMicros(`${prefix}${field}`, usd);
  }
  return longContextValue(out);
}

export async function setPrice(ctx: GraphQLContext, input: SetPriceInput): Promise<Price> {
  const row = priceRow(input);
  return runConfigChange(ctx.deps, ctx.who, async (tx) => {
    const before = await findPrice(tx, row.provider, row.model);
    const after = await upsertPrice(tx, row);
    return { result: after, audit: { action: "price.set", target: `${row.provider}:${row.model}`, before, after } };
  });
}
