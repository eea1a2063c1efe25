/** Price rules: non-negative, finite, converted once to integer micro-USD per 1M tokens. */
import { usdPerMillionToMicros } from "../../shared/money/cost.ts";
import { requireProvider } from "../deployments/deployment.service.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput } from "../graphql/errors.ts";
import { requireNonNegative, requireText } from "../graphql/validate.ts";
import { runConfigChange } from "../snapshots/config-change.ts";
import type { SetPriceInput } from "./price.input.ts";
import { findPrice, upsertPrice } from "./price.repo.ts";
import type { Price } from "./price.type.ts";

/** $1M per 1M tokens: far above any real price, and keeps token × price below 2^53. */
const MAX_USD_PER_MILLION = 1_000_000;

function toMicros(field: string, usd: number): number {
  requireNonNegative(field, usd);
  if (usd > MAX_USD_PER_MILLION) throw badInput(field, `must be at most ${MAX_USD_PER_MILLION}`);
  return usdPerMillionToMicros(usd);
}

function optionalMicros(field: string, usd: number | null | undefined): number | null {
  return usd === null || usd === undefined ? null : toMicros(field, usd);
}

/** Validates a price input into the stored row (micro-USD per 1M tokens), every optional class null when absent. */
function storedPriceRow(input: SetPriceInput) {
  return {
    provider: requireProvider("provider", input.provider),
    model: requireText("model", input.model, 200),
    inputMicros: toMicros("inputUsdPerMillion", input.inputUsdPerMillion),
    outputMicros: toMicros("outputUsdPerMillion", input.outputUsdPerMillion),
    cachedInputMicros: optionalMicros("cachedInputUsdPerMillion", input.cachedInputUsdPerMillion),
    cacheWriteMicros: optionalMicros("cacheWriteUsdPerMillion", input.cacheWriteUsdPerMillion),
    reasoningMicros: optionalMicros("reasoningUsdPerMillion", input.reasoningUsdPerMillion),
  };
}

/**
 * The row a `price.set` change request carries. The change-request policy state (changes/policy-state)
 * stores and writes only input, output and cached input, so a cache-write or reasoning price there
 * would be dropped when the request is applied: it is refused instead, naming the field, until the
 * policy state carries those columns. setPrice sets them.
 */
export function priceRow(input: SetPriceInput) {
  const { cacheWriteMicros, reasoningMicros, ...row } = storedPriceRow(input);
  if (cacheWriteMicros !== null) throw badInput("cacheWriteUsdPerMillion", "cannot be set through a change request yet; use setPrice");
  if (reasoningMicros !== null) throw badInput("reasoningUsdPerMillion", "cannot be set through a change request yet; use setPrice");
  return row;
}

export async function setPrice(ctx: GraphQLContext, input: SetPriceInput): Promise<Price> {
  const row = storedPriceRow(input);
  return runConfigChange(ctx.deps, ctx.who, async (tx) => {
    const before = await findPrice(tx, row.provider, row.model);
    const after = await upsertPrice(tx, row);
    return { result: after, audit: { action: "price.set", target: `${row.provider}:${row.model}`, before, after } };
  });
}
