/** Compiles, signs and stores one snapshot per region at the given version, pruning older ones. */
import type { Tx } from "../db/client.ts";
import { signSnapshot, type SigningKey } from "../../shared/snapshot/sign.ts";
import { snapshotDigest } from "../../shared/snapshot/snapshot-digest.ts";
import { compileSnapshot } from "./compile-snapshot.ts";
import { loadConfigRows } from "./config-rows.repo.ts";
import { pruneSnapshots } from "./snapshot.repo.ts";

/**
 * How many snapshots of a region are kept, newest first. Only the newest is ever served (the snapshot
 * route, the signing-key republish check, `regions { snapshotVersion }`); rollback restores from
 * config_states, never from here. A few more are kept so what a proxy a few changes behind still holds
 * (its `snapshotVersion` in `regions { proxies }`) can be looked at while it catches up, at a bounded
 * cost: on a 50,000-key config each is ~17 MB, so one per region per change kept for ever grew the
 * table by that much per region at every key created.
 */
export const SNAPSHOTS_KEPT = 5;

export async function publishSnapshots(tx: Tx, signingKey: SigningKey, version: number): Promise<void> {
  const regions = await tx<{ name: string }[]>`select name from regions order by name`;
  if (regions.length === 0) return;
  const rows = await loadConfigRows(tx);
  const issuedAt = new Date();
  for (const { name } of regions) {
    const jws = await signSnapshot(compileSnapshot(rows, name, version, issuedAt), signingKey);
    await tx`insert into snapshots (region, version, jws, digest) values (${name}, ${version}, ${jws}, ${snapshotDigest(jws)})
      on conflict (region, version) do update set jws = excluded.jws, digest = excluded.digest`;
    await pruneSnapshots(tx, name, SNAPSHOTS_KEPT);
  }
}
