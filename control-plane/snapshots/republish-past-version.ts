/**
 * A proxy reports holding a snapshot version the control plane does not have: above the newest config
 * version, or the newest version with another digest (shared/snapshot/snapshot-digest.ts). The database
 * was restored from a backup (or lost its latest commits), and config_versions, a sequence, hands out
 * the lost numbers again. A proxy refuses a lower version than it holds, and once the counter reaches
 * its version a poll is answered 304 (the ETag is the version): left alone, it would keep serving the
 * pre-restore configuration, with every change made since the restore (a key revoked) missing.
 *
 * The fix is a version strictly above the one held: under the config lock (so no other change takes a
 * version in between), the sequence is moved past the reported version and the current configuration
 * is published as the next one, a config change like any other (its state, the audit row
 * `snapshot.republish` by `system:config`, with why: `proxy_ahead`, or `proxy_other_content` for the
 * same version with another digest). Checked again under the lock, so concurrent polls reporting the
 * same version (and digest) publish one version between them.
 *
 * The reported version and digest are the proxy's word (region token authenticated): a holder of a
 * region token can make the control plane publish one version per poll (a version above the latest,
 * or the latest with a made-up digest), the counter at most to 999,999,999 (the route reads 9 digits),
 * well below the column's 2^31 − 1; each is logged and audited.
 */
import { inConfigLock } from "../audit/config-lock.ts";
import type { Queryable } from "../db/client.ts";
import { configChangeLocked, type ConfigChangeDeps } from "./config-change.ts";
import { snapshotDigestOf } from "./snapshot.repo.ts";

const CONFIG_ACTOR = "system:config";

export interface AheadClaim {
  region: string;
  proxyId: string | null;
  /** The version the proxy reports it holds. */
  heldVersion: number;
  /** The digest of what it holds (null: not reported, a proxy older than the header). */
  heldDigest: string | null;
}

/** Why a claim calls for a republish under the lock, or null when the control plane already has what the proxy holds (or is past it). */
async function republishReason(q: Queryable, claim: AheadClaim, latest: number): Promise<"proxy_ahead" | "proxy_other_content" | null> {
  if (claim.heldVersion > latest) return "proxy_ahead";
  if (claim.heldVersion < latest || claim.heldDigest === null) return null;
  return (await snapshotDigestOf(q, claim.region, latest)) === claim.heldDigest ? null : "proxy_other_content";
}

/** Publishes the configuration as a version above `heldVersion`; null when none is needed (another poll did it). */
export async function republishPastVersion(deps: ConfigChangeDeps, claim: AheadClaim): Promise<{ version: number; latestBefore: number } | null> {
  return inConfigLock(deps.sql, async (tx) => {
    const [row] = await tx<{ latest: number }[]>`select coalesce(max(version), 0)::int as latest from config_versions`;
    const latestBefore = row!.latest;
    const reason = await republishReason(tx, claim, latestBefore);
    if (reason === null) return null;
    // nextval first: setval never moves the sequence back (it may be past max(version) by rolled-back changes).
    await tx`select setval(pg_get_serial_sequence('config_versions', 'version'),
      greatest(${claim.heldVersion}::bigint, nextval(pg_get_serial_sequence('config_versions', 'version'))))`;
    let version = 0;
    const after: Record<string, unknown> = { reason, region: claim.region, proxyId: claim.proxyId, heldVersion: claim.heldVersion, latestVersion: latestBefore };
    if (reason === "proxy_other_content") after.heldDigest = claim.heldDigest;
    await configChangeLocked(tx, deps, CONFIG_ACTOR, async () => ({
      result: null,
      audit: { action: "snapshot.republish", target: "snapshots", after },
      onVersion: async (_tx, v) => {
        version = v;
      },
    }));
    return { version, latestBefore };
  });
}
