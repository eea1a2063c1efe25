/** SQL for regions and the proxies seen polling them. */
import type { Queryable } from "../db/client.ts";
import type { ProxyInstance, Region } from "./region.type.ts";

export async function listRegions(q: Queryable, name?: string): Promise<Region[]> {
  const regions = await q<{ name: string; publicUrl: string | null; createdAt: Date; snapshotVersion: number | null }[]>`
    select r.name, r.public_url as "publicUrl", r.created_at as "createdAt", (select max(version) from snapshots s where s.region = r.name) as "snapshotVersion"
    from regions r where ${name === undefined ? q`true` : q`r.name = ${name}`} order by r.name`;
  const proxies = await q<ProxyInstance[]>`
    select id, region, snapshot_version as "snapshotVersion", last_seen_at as "lastSeenAt"
    from proxies where ${name === undefined ? q`true` : q`region = ${name}`} order by region, id`;
  return regions.map((r) => ({ ...r, proxies: proxies.filter((p) => p.region === r.name) }));
}

export async function regionExists(q: Queryable, name: string): Promise<boolean> {
  const [row] = await q`select 1 from regions where name = ${name}`;
  return row !== undefined;
}

export async function insertRegion(q: Queryable, name: string, tokenHash: string, publicUrl: string | null): Promise<void> {
  await q`insert into regions (name, token_hash, public_url) values (${name}, ${tokenHash}, ${publicUrl})`;
}

/** The region's current public URL (locked for the change), or undefined when there is no such region. */
export async function lockRegionPublicUrl(q: Queryable, name: string): Promise<{ publicUrl: string | null } | undefined> {
  const [row] = await q<{ publicUrl: string | null }[]>`select public_url as "publicUrl" from regions where name = ${name} for update`;
  return row;
}

export async function setRegionPublicUrl(q: Queryable, name: string, publicUrl: string | null): Promise<void> {
  await q`update regions set public_url = ${publicUrl} where name = ${name}`;
}

/**
 * Replaces the region's token hash, keeping the replaced one valid until `previousValidUntil` (null: revoked
 * at once). Only one previous token is kept: a second rotation ends the first one's grace. False when
 * there is no such region.
 */
export async function replaceRegionTokenHash(q: Queryable, name: string, tokenHash: string, previousValidUntil: Date | null): Promise<boolean> {
  const rows = await q`
    update regions set
      previous_token_hash = ${previousValidUntil === null ? null : q`token_hash`},
      previous_token_expires_at = ${previousValidUntil},
      token_hash = ${tokenHash}
    where name = ${name} returning 1`;
  return rows.length > 0;
}

/** The region a proxy token belongs to (its current token, or the previous one within its grace), or null. */
export async function regionForTokenHash(q: Queryable, tokenHash: string): Promise<string | null> {
  const [row] = await q<{ name: string }[]>`
    select name from regions
    where token_hash = ${tokenHash} or (previous_token_hash = ${tokenHash} and previous_token_expires_at > now())`;
  return row?.name ?? null;
}
