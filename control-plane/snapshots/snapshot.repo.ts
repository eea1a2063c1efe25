/** Stored signed snapshots and the proxies that fetch them. */
import type { Queryable } from "../db/client.ts";

/**
 * The region's newest snapshot version and its digest (null before the first): an index lookup on the
 * (region, version) key that never touches the JWS, which is megabytes on a large config. An unchanged
 * poll (304) needs nothing more.
 */
export async function latestSnapshotHead(q: Queryable, region: string): Promise<{ version: number; digest: string } | null> {
  const [row] = await q<{ version: number; digest: string }[]>`
    select version, digest from snapshots where region = ${region} order by version desc limit 1`;
  return row ?? null;
}

/** The digest of the region's snapshot of `version` (null: none stored), for the republish's check under the lock. */
export async function snapshotDigestOf(q: Queryable, region: string, version: number): Promise<string | null> {
  const [row] = await q<{ digest: string }[]>`select digest from snapshots where region = ${region} and version = ${version}`;
  return row?.digest ?? null;
}

/** The region's newest snapshot with its JWS (null before the first), for a poller that needs the body. */
export async function latestSnapshot(q: Queryable, region: string): Promise<{ version: number; digest: string; jws: string } | null> {
  const [row] = await q<{ version: number; digest: string; jws: string }[]>`
    select version, digest, jws from snapshots where region = ${region} order by version desc limit 1`;
  return row ?? null;
}

/**
 * How long a proxy not seen polling stays in `regions { proxies }`: 24 hours. Long enough that a proxy
 * cut off by an outage (network, control plane, the proxy wedged) stays listed as lagging, at its old
 * snapshot version, for a day, time for someone to notice it; short enough that replicas restarted
 * under new ids (a Kubernetes pod without PROXY_ID gets a random `prx_…` per start) do not pile up in
 * the list forever as dead proxies that look like lagging ones.
 */
export const PROXY_RETENTION_HOURS = 24;

/**
 * Records a proxy of `region` polling (its id, snapshot version and outbox age come from untrusted
 * headers). Rows are keyed on (region, id), so a region's token touches only its own region's rows; the
 * reported version is stored as reported, above the region's latest too: a proxy ahead of the control
 * plane (its database restored from a backup) shows as such in `regions { proxies }`, never as current
 * (the snapshot route then republishes past it: republish-past-version.ts);
 * `oldestUnshippedAgeMs` (null: not reported) is kept as usage_drained_up_to = now() − it, by the
 * database's clock, with last_seen_at for region-heard.repo.ts (an age read by the proxy's clock, so
 * neither clock needs to agree with the other; a poll's transit makes it later by that much). Then forgets
 * the region's proxies not seen for PROXY_RETENTION_HOURS (this one was just seen, so it stays); only
 * this region's rows, as its token touches no other region's.
 */
export async function recordProxy(q: Queryable, id: string, region: string, snapshotVersion: number, oldestUnshippedAgeMs: number | null = null): Promise<void> {
  await q`insert into proxies (id, region, snapshot_version, last_seen_at, usage_drained_up_to)
    values (${id}, ${region}, ${snapshotVersion}::integer, now(),
      now() - ${oldestUnshippedAgeMs}::bigint * interval '1 millisecond')
    on conflict (region, id) do update set snapshot_version = excluded.snapshot_version, last_seen_at = now(), usage_drained_up_to = excluded.usage_drained_up_to`;
  await q`delete from proxies where region = ${region} and last_seen_at < now() - ${PROXY_RETENTION_HOURS}::integer * interval '1 hour'`;
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
