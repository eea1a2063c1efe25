/** Stored signed snapshots and the proxies that fetch them. */
import type { Queryable } from "../db/client.ts";

/**
 * The region's newest snapshot version alone (null before the first): an index lookup on the
 * (region, version) key that never touches the JWS, which is megabytes on a large config. An unchanged
 * poll (304) needs nothing more.
 */
export async function latestSnapshotVersion(q: Queryable, region: string): Promise<number | null> {
  const [row] = await q<{ version: number }[]>`
    select version from snapshots where region = ${region} order by version desc limit 1`;
  return row?.version ?? null;
}

/** The region's newest snapshot with its JWS (null before the first), for a poller that needs the body. */
export async function latestSnapshot(q: Queryable, region: string): Promise<{ version: number; jws: string } | null> {
  const [row] = await q<{ version: number; jws: string }[]>`
    select version, jws from snapshots where region = ${region} order by version desc limit 1`;
  return row ?? null;
}

/**
 * Records a proxy of `region` polling (its id and snapshot version come from untrusted headers). Rows
 * are keyed on (region, id), so a region's token touches only its own region's rows; the reported
 * version is capped at the region's latest snapshot version (0 before the first).
 */
export async function recordProxy(q: Queryable, id: string, region: string, snapshotVersion: number): Promise<void> {
  await q`insert into proxies (id, region, snapshot_version, last_seen_at)
    values (${id}, ${region}, least(${snapshotVersion}::integer, coalesce((select max(version) from snapshots where region = ${region}), 0)), now())
    on conflict (region, id) do update set snapshot_version = excluded.snapshot_version, last_seen_at = now()`;
}

/** Every region with its newest stored snapshot (null when it has none), by region name. */
export async function newestSnapshotPerRegion(q: Queryable): Promise<{ region: string; jws: string | null }[]> {
  return q<{ region: string; jws: string | null }[]>`
    select r.name as region, s.jws from regions r
    left join lateral (select jws from snapshots where region = r.name order by version desc limit 1) s on true
    order by r.name`;
}

/** Deletes the region's snapshots older than its `keep` newest (by version; the primary key's index). */
export async function pruneSnapshots(q: Queryable, region: string, keep: number): Promise<void> {
  await q`delete from snapshots where region = ${region} and version < (
    select version from snapshots where region = ${region} order by version desc offset ${keep - 1} limit 1)`;
}
