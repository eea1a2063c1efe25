/**
 * A price's long-context tier as stored (micro-USD per 1M tokens), read and written by pricing's repo
 * and by the change-request policy state alike, so both read and set the same six columns. See
 * shared/money/cost.ts (LongContextPrice) for how it prices a request.
 */
import { microsToUsd, type LongContextPrice as SnapshotLongContext } from "../../shared/money/cost.ts";
import type { LongContextPrice } from "./price.type.ts";

export interface LongContextMicros {
  thresholdTokens: number;
  inputMicros: number;
  outputMicros: number;
  /** Present (not null) exactly when the row has a cached-input price; so for the two below. */
  cachedInputMicros?: number | null;
  cacheWriteMicros?: number | null;
  reasoningMicros?: number | null;
}

/** The select list of the tier's columns, named as LongContextRow's fields. */
export const LONG_CONTEXT_COLUMNS = `long_context_threshold_tokens as "lcThreshold", long_context_input_micros as "lcInput",
  long_context_output_micros as "lcOutput", long_context_cached_input_micros as "lcCachedInput",
  long_context_cache_write_micros as "lcCacheWrite", long_context_reasoning_micros as "lcReasoning"`;

/** The tier's columns as a select with LONG_CONTEXT_COLUMNS returns them (bigint: strings). */
export interface LongContextRow {
  lcThreshold: string | number | null;
  lcInput: string | number | null;
  lcOutput: string | number | null;
  lcCachedInput: string | number | null;
  lcCacheWrite: string | number | null;
  lcReasoning: string | number | null;
}

const numberOrNull = (v: string | number | null) => (v === null ? null : Number(v));

/** The stored tier, or null when the row has none; a class the tier does not price is left out. */
export function longContextFromRow(r: LongContextRow): LongContextMicros | null {
  if (r.lcThreshold === null || r.lcInput === null || r.lcOutput === null) return null;
  return longContextValue({
    thresholdTokens: Number(r.lcThreshold),
    inputMicros: Number(r.lcInput),
    outputMicros: Number(r.lcOutput),
    cachedInputMicros: numberOrNull(r.lcCachedInput),
    cacheWriteMicros: numberOrNull(r.lcCacheWrite),
    reasoningMicros: numberOrNull(r.lcReasoning),
  });
}

/** The tier with its unpriced classes left out, so two equal tiers compare equal as JSON. */
export function longContextValue(t: LongContextMicros): LongContextMicros {
  return {
    thresholdTokens: t.thresholdTokens,
    inputMicros: t.inputMicros,
    outputMicros: t.outputMicros,
    ...(t.cachedInputMicros == null ? {} : { cachedInputMicros: t.cachedInputMicros }),
    ...(t.cacheWriteMicros == null ? {} : { cacheWriteMicros: t.cacheWriteMicros }),
    ...(t.reasoningMicros == null ? {} : { reasoningMicros: t.reasoningMicros }),
  };
}

/** The six column values to write, in LONG_CONTEXT_COLUMNS' order; all null for no tier. */
export function longContextParams(t: LongContextMicros | null | undefined): (number | null)[] {
  if (!t) return [null, null, null, null, null, null];
  return [t.thresholdTokens, t.inputMicros, t.outputMicros, t.cachedInputMicros ?? null, t.cacheWriteMicros ?? null, t.reasoningMicros ?? null];
}

const usdOrNull = (micros: number | null | undefined) => (micros == null ? null : microsToUsd(micros));

/** The tier in USD per 1M tokens, as the prices query answers it. */
export function longContextUsd(t: LongContextMicros | null): LongContextPrice | null {
  if (!t) return null;
  return {
    thresholdTokens: t.thresholdTokens,
    inputUsdPerMillion: microsToUsd(t.inputMicros),
    outputUsdPerMillion: microsToUsd(t.outputMicros),
    cachedInputUsdPerMillion: usdOrNull(t.cachedInputMicros),
    cacheWriteUsdPerMillion: usdOrNull(t.cacheWriteMicros),
    reasoningUsdPerMillion: usdOrNull(t.reasoningMicros),
  };
}

/** The tier's column names, in longContextParams' order, for an insert. */
export const LONG_CONTEXT_INSERT =
  "long_context_threshold_tokens, long_context_input_micros, long_context_output_micros, long_context_cached_input_micros, long_context_cache_write_micros, long_context_reasoning_micros";

/** An upsert's `on conflict do update` assignments of the tier's columns. */
export const LONG_CONTEXT_UPDATE = LONG_CONTEXT_INSERT.split(", ")
  .map((column) => `${column} = excluded.${column}`)
  .join(", ");

/** Each stored field's name in a snapshot's tier (shared/money/cost.ts LongContextPrice). */
const PUBLISHED_AS = {
  thresholdTokens: "thresholdTokens",
  inputMicros: "input",
  outputMicros: "output",
  cachedInputMicros: "cachedInput",
  cacheWriteMicros: "cacheWrite",
  reasoningMicros: "reasoning",
} as const satisfies Record<keyof LongContextMicros, keyof SnapshotLongContext>;

/**
 * The tier as a snapshot publishes it (shared/money/cost.ts reads it): longContextValue's fields,
 * unpriced classes left out, renamed in the same order, so the published bytes are those of before.
 */
export function publishedLongContext(t: LongContextMicros): SnapshotLongContext {
  const published: Partial<Record<keyof SnapshotLongContext, number>> = {};
  for (const [field, value] of Object.entries(longContextValue(t))) published[PUBLISHED_AS[field as keyof LongContextMicros]] = value;
  return published as SnapshotLongContext;
}
