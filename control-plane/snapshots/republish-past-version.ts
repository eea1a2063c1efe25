/**
 * A proxy reports holding a snapshot version above the newest config version: the database was restored
 * from a backup (or lost its latest commits), and config_versions, a sequence, hands out the lost
 * numbers again. A proxy refuses a lower version than it holds, and once the counter reaches its
 * version a poll is answered 304 (the ETag is the version): left alone, it would keep serving the
 * pre-restore configuration, with every change made since the restore (a key revoked) missing.
 *
 * The fix is a version strictly above the one held: under the config lock (so no other change takes a
 * version in between), the sequence is moved past the reported version and the current configuration
 * is published as the next one, a config change like any other (its state, the audit row
 * `snapshot.republish` by `system:config`, with why). Checked again under the lock, so concurrent polls
 * reporting the same version publish one version between them.
 *
 * The reported version is the proxy's word (region token authenticated): a holder of a region token can
 * move the counter up once, at most to 999,999,999 (the route reads 9 digits), well below the column's
 * 2^31 − 1; it is logged and audited.
 */
import { inConfigLock } from "../audit/config-lock.ts";
import { configChangeLocked, type ConfigChangeDeps } from "./config-change.ts";

const CONFIG_ACTOR = "system:config";

export interface AheadClaim {
  region: string;
  proxyId: string | null;
  /** The version the proxy reports it holds. */
  heldVersion: number;
}

/** Publishes the configuration as a version above `heldVersion`; null when the counter is already past it (another poll did it). */
export async function republishPastVersion(deps: ConfigChangeDeps, claim: AheadClaim): Promise<{ version: number; latestBefore: number } | null> {
  return inConfigLock(deps.sql, async (tx) => {
    const [row] = await tx<{ latest: number }[]>`select coalesce(max(version), 0)::int as latest from config_versions`;
    const latestBefore = row!.latest;
    if (claim.heldVersion <= latestBefore) return null;
    // nextval first: setval never moves the sequence back (it may be past max(version) by rolled-back changes).
    await tx`select setval(pg_get_serial_sequence('config_versions', 'version'),
      greatest(${claim.heldVersion}::bigint, nextval(pg_get_serial_sequence('config_versions', 'version'))))`;
    let version = 0;
    await configChangeLocked(tx, deps, CONFIG_ACTOR, async () => ({
      result: null,
      audit: {
        action: "snapshot.republish",
        target: "snapshots",
        after: { reason: "proxy_ahead", region: claim.region, proxyId: claim.proxyId, heldVersion: claim.heldVersion, latestVersion: latestBefore },
      },
      onVersion: async (_tx, v) => {
        version = v;
      },
    }));
    return { version, latestBefore };
  });
}
