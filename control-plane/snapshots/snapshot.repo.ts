/** Stored signed snapshots and the proxies that fetch them. */
import type { Queryable } from "../db/client.ts";

export async function latestSnapshot(q: Queryable, region: string): Promise<{ version: number; jws: string } | null> {
  const [row] = await q<{ version: number; jws: string }[]>`
    select version, jws from snapshots where region = ${region} order by version desc limit 1`;
  return row ?? null;
}

export async function recordProxy(q: Queryable, id: string, region: string, snapshotVersion: number): Promise<void> {
  await q`insert into proxies (id, region, snapshot_version, last_seen_at) values (${id}, ${region}, ${snapshotVersion}, now())
    on conflict (id) do update set region = excluded.region, snapshot_version = excluded.snapshot_version, last_seen_at = now()`;
}
