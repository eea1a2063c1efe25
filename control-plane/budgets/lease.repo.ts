/**
 * budget_leases rows: each region's cumulative allowance for one budget level. A level's period is its
 * label and the zone it is counted in (shared/leases/zoned-period.ts): the same label in another zone
 * is another period, with leases of its own.
 */
import type { Queryable } from "../db/client.ts";
import { MAX_SPEND_MICROS } from "./spend-ceiling.ts";

export interface LeaseRow {
  region: string;
  grantedMicros: number;
  /** The region's spend as believed (never above what it could have spent: lease-reported-spend.ts). */
  reportedSpentMicros: number;
  /** The highest report above that, ignored; 0 while none was (it is logged when it first is not). */
  ignoredReportedMicros: number;
  rateMicrosPerS: number;
  expiresAt: Date;
  updatedAt: Date;
}

/** Every region's lease on one level (figures saturated at MAX_SPEND_MICROS, should a row hold more). */
export async function leasesOf(q: Queryable, scope: string, period: string, timeZone: string): Promise<LeaseRow[]> {
  const rows = await q<{ region: string; granted: string; reported: string; ignored: string; rate: number; expiresAt: Date; updatedAt: Date }[]>`
    select region, least(granted_micros, ${MAX_SPEND_MICROS})::text as granted, least(reported_spent_micros, ${MAX_SPEND_MICROS})::text as reported,
      least(ignored_reported_micros, ${MAX_SPEND_MICROS})::text as ignored, rate_micros_per_s as rate, expires_at as "expiresAt", updated_at as "updatedAt"
    from budget_leases where scope = ${scope} and period = ${period} and time_zone = ${timeZone}`;
  return rows.map((r) => ({
    region: r.region,
    grantedMicros: Number(r.granted),
    reportedSpentMicros: Number(r.reported),
    ignoredReportedMicros: Number(r.ignored),
    rateMicrosPerS: r.rate,
    expiresAt: r.expiresAt,
    updatedAt: r.updatedAt,
  }));
}

/** Writes one region's lease (insert or replace). */
export async function saveLease(q: Queryable, scope: string, period: string, timeZone: string, row: Omit<LeaseRow, "updatedAt">): Promise<void> {
  await q`insert into budget_leases (scope, period, time_zone, region, granted_micros, reported_spent_micros, ignored_reported_micros, rate_micros_per_s, expires_at, updated_at)
    values (${scope}, ${period}, ${timeZone}, ${row.region}, ${row.grantedMicros}, ${row.reportedSpentMicros}, ${row.ignoredReportedMicros}, ${row.rateMicrosPerS}, ${row.expiresAt}, now())
    on conflict (scope, period, time_zone, region) do update set granted_micros = excluded.granted_micros,
      reported_spent_micros = excluded.reported_spent_micros, ignored_reported_micros = excluded.ignored_reported_micros, rate_micros_per_s = excluded.rate_micros_per_s,
      expires_at = excluded.expires_at, updated_at = now()`;
}

/**
 * The advisory lock class of budget levels ("bdgt"), the first key of the two-int4 form. PostgreSQL
 * keeps the one-bigint and the two-int4 advisory locks in key spaces that never overlap (pg_locks
 * tells them apart by objsubid 1 and 2), so a level can no longer be the config lock or the migration
 * lock (one-bigint: CONFIG_LOCK_ID, MIGRATION_LOCK_ID). With the bigint form, a level whose 32-bit
 * hashtext was 0x63666767 was the config lock, and a late-usage batch deadlocked with revokeKey.
 * A further family of two-int4 locks takes a class of its own.
 */
export const BUDGET_LEVEL_LOCK_CLASS = 0x62646774;

/** Serializes grants on one level across control-plane instances for the rest of the transaction. */
export async function lockLevel(q: Queryable, scope: string, period: string, timeZone: string): Promise<void> {
  await q`select pg_advisory_xact_lock(${BUDGET_LEVEL_LOCK_CLASS}::int, hashtext(${`budget|${scope}|${period}|${timeZone}`}))`;
}
