/** SQL for the price table (micro-USD per 1M tokens, bigint). */
import type { Queryable } from "../db/client.ts";
import { microsToUsd } from "../../shared/money/cost.ts";
import { LONG_CONTEXT_COLUMNS, LONG_CONTEXT_INSERT, LONG_CONTEXT_UPDATE, longContextFromRow, longContextParams, longContextUsd, type LongContextMicros, type LongContextRow } from "./long-context.ts";
import type { Price } from "./price.type.ts";

interface PriceRow extends LongContextRow {
  provider: string;
  model: string;
  inputMicros: string;
  outputMicros: string;
  cachedInputMicros: string | null;
  cacheWriteMicros: string | null;
  reasoningMicros: string | null;
}

/** A stored price in micro-USD per 1M tokens; a null optional class falls back (see shared/money/cost.ts). */
export interface PriceMicros {
  provider: string;
  model: string;
  inputMicros: number;
  outputMicros: number;
  cachedInputMicros: number | null;
  cacheWriteMicros: number | null;
  reasoningMicros: number | null;
  /** The long-context tier; null = none. */
  longContext: LongContextMicros | null;
}

const usdOrNull = (micros: string | null) => (micros === null ? null : microsToUsd(Number(micros)));
const numberOrNull = (micros: string | null) => (micros === null ? null : Number(micros));

function toPrice(r: PriceRow): Price {
  return {
    provider: r.provider,
    model: r.model,
    inputUsdPerMillion: microsToUsd(Number(r.inputMicros)),
    outputUsdPerMillion: microsToUsd(Number(r.outputMicros)),
    cachedInputUsdPerMillion: usdOrNull(r.cachedInputMicros),
    cacheWriteUsdPerMillion: usdOrNull(r.cacheWriteMicros),
    reasoningUsdPerMillion: usdOrNull(r.reasoningMicros),
    longContext: longContextUsd(longContextFromRow(r)),
  };
}

const COLUMNS = `provider, model, input_micros as "inputMicros", output_micros as "outputMicros", cached_input_micros as "cachedInputMicros",
  cache_write_micros as "cacheWriteMicros", reasoning_micros as "reasoningMicros", ${LONG_CONTEXT_COLUMNS}`;

export async function listPrices(q: Queryable): Promise<Price[]> {
  return (await q.unsafe<PriceRow[]>(`select ${COLUMNS} from prices order by provider, model`)).map(toPrice);
}

/** Every price in micro-USD, for the snapshot (pricing's own read, so a new price column reaches it from here). */
export async function listPriceMicros(q: Queryable): Promise<PriceMicros[]> {
  return (await q.unsafe<PriceRow[]>(`select ${COLUMNS} from prices order by provider, model`)).map((r) => ({
    provider: r.provider,
    model: r.model,
    inputMicros: Number(r.inputMicros),
    outputMicros: Number(r.outputMicros),
    cachedInputMicros: numberOrNull(r.cachedInputMicros),
    cacheWriteMicros: numberOrNull(r.cacheWriteMicros),
    reasoningMicros: numberOrNull(r.reasoningMicros),
    longContext: longContextFromRow(r),
  }));
}

export async function findPrice(q: Queryable, provider: string, model: string): Promise<Price | null> {
  const [row] = await q.unsafe<PriceRow[]>(`select ${COLUMNS} from prices where provider = $1 and model = $2`, [provider, model]);
  return row ? toPrice(row) : null;
}

/** Sets every column: a null optional class falls back to input or output; a null tier clears it. */
export async function upsertPrice(q: Queryable, p: PriceMicros): Promise<Price> {
  const [row] = await q.unsafe<PriceRow[]>(
    `insert into prices (provider, model, input_micros, output_micros, cached_input_micros, cache_write_micros, reasoning_micros, ${LONG_CONTEXT_INSERT})
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     on conflict (provider, model) do update set input_micros = excluded.input_micros,
       output_micros = excluded.output_micros, cached_input_micros = excluded.cached_input_micros,
       cache_write_micros = excluded.cache_write_micros, reasoning_micros = excluded.reasoning_micros,
       ${LONG_CONTEXT_UPDATE}, updated_at = now()
     returning ${COLUMNS}`,
    [p.provider, p.model, p.inputMicros, p.outputMicros, p.cachedInputMicros, p.cacheWriteMicros, p.reasoningMicros, ...longContextParams(p.longContext)],
  );
  return toPrice(row!);
}
