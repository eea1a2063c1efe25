/**
 * Cost arithmetic shared by the proxy (which prices each request) and the control plane (which
 * checks and aggregates it). Money is integer micro-USD; prices are micro-USD per 1M tokens.
 *
 * One rounding rule: the exact cost of a request is summed over every token class first and rounded
 * half up to a whole micro-USD once, so a streamed and an unstreamed request cost the same.
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
export interface Price {
  input: number;
  output: number;
  cachedInput?: number | null;
  cacheWrite?: number | null;
  reasoning?: number | null;
}

export function costMicros(usage: NormalizedUsage, price: Price): number {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const written = Math.min(usage.cacheWriteTokens, usage.inputTokens - cached);
  const plainInput = usage.inputTokens - cached - written;
  const reasoning = Math.min(usage.reasoningTokens, usage.outputTokens);
  const plainOutput = usage.outputTokens - reasoning;
  // Sum of tokens × micro-USD per 1M tokens: stays an exact integer well below 2^53.
  const scaled =
    plainInput * price.input +
    cached * (price.cachedInput ?? price.input) +
    written * (price.cacheWrite ?? price.input) +
    plainOutput * price.output +
    reasoning * (price.reasoning ?? price.output);
  return Math.floor((scaled + 500_000) / 1_000_000);
}

/** USD per 1M tokens (what people type) → integer micro-USD per 1M tokens (what we store). */
export function usdPerMillionToMicros(usd: number): number {
  return Math.round(usd * 1_000_000);
}

export function microsToUsd(micros: number): number {
  return micros / 1_000_000;
}
