/**
 * Cost arithmetic shared by the proxy (which prices each request) and the control plane (which
 * checks and aggregates it). Money is integer micro-USD; prices are micro-USD per 1M tokens.
 *
 * One rounding rule: the exact cost of a request is summed over every token class first and rounded
 * to a whole micro-USD once, so a streamed and an unstreamed request cost the same. A request's charge
 * (`roundingKey`: its event id) rounds its fraction of a micro-USD up with that fraction as the
 * probability, decided by a hash of the key: the same event always costs the same, and a million
 * requests of 10 tokens at $0.02/1M add up to the $0.20 they cost instead of $0 (half up, every one
 * of them rounds down). Without a key (reservations, estimates) it rounds up: what a reservation
 * holds is never less than any charge of the same usage can be (0.15 µ$ reserves 1, and settles at 0
 * or 1).
 *
 * @example costMicros({ inputTokens: 1000, outputTokens: 500, ... }, { input: 150_000, output: 600_000 })
 *   // 1000*0.15 + 500*0.6 = 450 micro-USD
 */
export interface NormalizedUsage {
  /** Every prompt token, cached ones included (OpenAI's `prompt_tokens`). */
  inputTokens: number;
  /** Every generated token, reasoning included (OpenAI's `completion_tokens`). */
  outputTokens: number;
  /** Of inputTokens, those read from the vendor's prompt cache. */
  cachedInputTokens: number;
  /** Of inputTokens, those written to the vendor's prompt cache. */
  cacheWriteTokens: number;
  /** Of outputTokens, those spent on hidden reasoning. */
  reasoningTokens: number;
}

export const ZERO_USAGE: NormalizedUsage = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
});

/** Micro-USD per 1M tokens for each token class; optional classes fall back to input or output. */
export interface Rates {
  input: number;
  output: number;
  cachedInput?: number | null;
  cacheWrite?: number | null;
  reasoning?: number | null;
}

/**
 * A price row: its base rates and, optionally, a long-context tier. A request whose prompt (every
 * input token, cached and cache-write ones included: `NormalizedUsage.inputTokens`) passes the tier's
 * threshold has every token class priced at the tier; a prompt of exactly the threshold stays at the
 * base. Vendors bill so: Gemini 2.5 Pro and 3 Pro over 200k prompt tokens, cached ones counted
 * (https://ai.google.dev/gemini-api/docs/pricing), Claude Sonnet 4/4.5 with the 1M context over 200k
 * input tokens, cache reads and writes counted
 * (https://docs.anthropic.com/en/docs/about-claude/pricing#long-context-pricing).
 */
export interface Price extends Rates {
  longContext?: LongContextPrice | null;
}

/** The tier's rates, for every class the row prices (the control plane requires them all), and the prompt size it starts above. */
export interface LongContextPrice extends Rates {
  thresholdTokens: number;
}

export function costMicros(usage: NormalizedUsage, price: Price, roundingKey?: string): number {
  const tier = price.longContext;
  if (tier != null && usage.inputTokens > tier.thresholdTokens) price = tier;
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const written = Math.min(usage.cacheWriteTokens, usage.inputTokens - cached);
  const plainInput = usage.inputTokens - cached - written;
  const reasoning = Math.min(usage.reasoningTokens, usage.outputTokens);
  const plainOutput = usage.outputTokens - reasoning;
  // Sum of tokens × micro-USD per 1M tokens: an exact integer below 2^53 (~9e15: a request costing up to
  // ~$9,000, e.g. 10 million tokens at $900 per million); past that (the control plane allows up to $1M
  // per million) the last µ$ of the cost may round either way.
  const scaled =
    plainInput * price.input +
    cached * (price.cachedInput ?? price.input) +
    written * (price.cacheWrite ?? price.input) +
    plainOutput * price.output +
    reasoning * (price.reasoning ?? price.output);
  if (roundingKey === undefined) return Math.ceil(scaled / 1_000_000);
  const whole = Math.floor(scaled / 1_000_000);
  const fraction = scaled - whole * 1_000_000;
  return fraction > unitInterval(roundingKey) * 1_000_000 ? whole + 1 : whole;
}

/**
 * The dearest rate each token of a request could be charged: a prompt token may be written to the
 * cache (Anthropic charges 1.25-2x input for that), an output token may be reasoning, and any token
 * may be priced at the long-context tier (the prompt is only estimated before the call, and the
 * estimate can fall short of the vendor's count). A reservation priced with it covers the settled
 * cost whatever the split and the prompt's real size turn out to be.
 */
export function worstCasePrice(price: Price): Price {
  const worst = dearest(price);
  const tier = price.longContext;
  if (tier == null) return worst;
  const dearTier = dearest(tier);
  return { input: Math.max(worst.input, dearTier.input), output: Math.max(worst.output, dearTier.output) };
}

function dearest(rates: Rates): Price {
  return {
    input: Math.max(rates.input, rates.cachedInput ?? 0, rates.cacheWrite ?? 0),
    output: Math.max(rates.output, rates.reasoning ?? 0),
  };
}

/** A key's place in [0, 1): FNV-1a, 32 bits, spread evenly enough for rounding. */
function unitInterval(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) / 0x1_0000_0000;
}

/** USD per 1M tokens (what people type) → integer micro-USD per 1M tokens (what we store). */
export function usdPerMillionToMicros(usd: number): number {
  return Math.round(usd * 1_000_000);
}

export function microsToUsd(micros: number): number {
  return micros / 1_000_000;
}
