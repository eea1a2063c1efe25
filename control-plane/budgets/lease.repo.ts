/** budget_leases rows: each region's cumulative allowance for one budget level. */
import type { Queryable } from "../db/client.ts";
import { MAX_SPEND_MICROS } from "./spend-ceiling.ts";

export interface LeaseRow {
  region: string;
  grantedMicros: number;
  reportedSpentMicros: number;
  rateMicrosPerS: number;
  expiresAt: Date;
  updatedAt: Date;
}

/** Every region's lease on one level (figures saturated at MAX_SPEND_MICROS, should a row hold more). */
export async function leasesOf(q: Queryable, scope: string, period: string): Promise<LeaseRow[]> {
  const rows = await q<{ region: string; granted: string; reported: string; rate: number; expiresAt: Date; updatedAt: Date }[]>`
    select region, least(granted_micros, ${MAX_SPEND_MICROS})::text as granted, least(reported_spent_micros, ${MAX_SPEND_MICROS})::text as reported, rate_micros_per_s as rate,
      expires_at as "expiresAt", updated_at as "updatedAt"
    from budget_leases where scope = ${scope} and period = ${period}`;
  return rows.map((r) => ({ region: r.region, grantedMicros: Number(r.granted), reportedSpentMicros: Number(r.reported), rateMicrosPerS: r.rate, expiresAt: r.expiresAt, updatedAt: r.updatedAt }));
}

/** Writes one region's lease (insert or replace). */
export async function saveLease(q: Queryable, scope: string, period: string, row: Omit<LeaseRow, "updatedAt">): Promise<void> {
  await q`insert into budget_leases (scope, period, region, granted_micros, reported_spent_micros, rate_micros_per_s, expires_at, updated_at)
    values (${scope}, ${period}, ${row.region}, ${row.grantedMicros}, ${row.reportedSpentMicros}, ${row.rateMicrosPerS}, ${row.expiresAt}, now())
    on conflict (scope, period, region) do update set granted_micros = excluded.granted_micros,
      reported_spent_micros = excluded.reported_spent_micros, rate_micros_per_s = excluded.rate_micros_per_s,
      expires_at = excluded.expires_at, updated_at = now()`;
}

/** Serializes grants on one level across control-plane instances for the rest of the transaction. */
export async function lockLevel(q: Queryable, scope: string, period: string): Promise<void> {
  await q`select pg_advisory_xact_lock(hashtext(${`budget|${scope}|${period}`}))`;
}
