/** SQL for the price table (micro-USD per 1M tokens, bigint). */
import type { Queryable } from "../db/client.ts";
import { microsToUsd } from "../../shared/money/cost.ts";
import type { Price } from "./price.type.ts";

interface PriceRow {
  provider: string;
  model: string;
  inputMicros: string;
  outputMicros: string;
  cachedInputMicros: string | null;
}

function toPrice(r: PriceRow): Price {
  return {
    provider: r.provider,
    model: r.model,
    inputUsdPerMillion: microsToUsd(Number(r.inputMicros)),
    outputUsdPerMillion: microsToUsd(Number(r.outputMicros)),
    cachedInputUsdPerMillion: r.cachedInputMicros === null ? null : microsToUsd(Number(r.cachedInputMicros)),
  };
}

const COLUMNS = `provider, model, input_micros as "inputMicros", output_micros as "outputMicros", cached_input_micros as "cachedInputMicros"`;

export async function listPrices(q: Queryable): Promise<Price[]> {
  return (await q.unsafe<PriceRow[]>(`select ${COLUMNS} from prices order by provider, model`)).map(toPrice);
}

export async function findPrice(q: Queryable, provider: string, model: string): Promise<Price | null> {
  const [row] = await q.unsafe<PriceRow[]>(`select ${COLUMNS} from prices where provider = $1 and model = $2`, [provider, model]);
  return row ? toPrice(row) : null;
}

export async function upsertPrice(
  q: Queryable,
  p: { provider: string; model: string; inputMicros: number; outputMicros: number; cachedInputMicros: number | null },
): Promise<Price> {
  const [row] = await q.unsafe<PriceRow[]>(
    `insert into prices (provider, model, input_micros, output_micros, cached_input_micros)
     values ($1, $2, $3, $4, $5)
     on conflict (provider, model) do update set input_micros = excluded.input_micros,
       output_micros = excluded.output_micros, cached_input_micros = excluded.cached_input_micros, updated_at = now()
     returning ${COLUMNS}`,
    [p.provider, p.model, p.inputMicros, p.outputMicros, p.cachedInputMicros],
  );
  return toPrice(row!);
}
