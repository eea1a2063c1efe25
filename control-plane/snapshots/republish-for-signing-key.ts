/**
 * At start, makes sure every region's newest snapshot is signed with the control plane's current key.
 * Snapshots are signed only when a config change publishes them, so after a key change (a new
 * SIGNING_KEY_JWK, a new signing-key.jwk) the stored ones stay signed with the old key, which the JWKS
 * no longer lists: every proxy pinned to the current keys refuses them, and a new proxy stays not_ready.
 *
 * The fix is a new version, not the same version signed again: a proxy polls with its version as
 * If-None-Match, gets 304 and keeps its old-key copy. The republish is a config change like any other
 * (the config lock, a config version, its stored state, the audit row `snapshot.republish` by
 * `system:config`), decided under that lock, so two control planes starting with the new key publish
 * one version between them, and a start with the same key publishes nothing.
 */
import { compactVerify, decodeProtectedHeader, importJWK } from "jose";
import { CONFIG_LOCK_ID } from "../audit/run-audited.ts";
import { configChangeLocked, type ConfigChangeDeps } from "./config-change.ts";
import { newestSnapshotPerRegion } from "./snapshot.repo.ts";

/** Who the republish is attributed to: the control plane's own configuration (its signing key). */
const CONFIG_ACTOR = "system:config";

export interface Republished {
  version: number;
  /** The regions whose newest snapshot was not signed with the current key. */
  regions: string[];
  /** The key ids those were signed with (null: no snapshot, or no readable header). */
  signedBy: (string | null)[];
}

/** The kid in a JWS's protected header, or null when it has none or cannot be read. */
function kidOf(jws: string): string | null {
  try {
    return decodeProtectedHeader(jws).kid ?? null;
  } catch {
    return null;
  }
}

/** Publishes the current configuration as a new version when a region's newest snapshot is not signed with the current key; null when none needed it. */
export async function republishForSigningKey(deps: ConfigChangeDeps): Promise<Republished | null> {
  const publicKey = await importJWK({ ...deps.signingKey.publicJwk, alg: "EdDSA" }, "EdDSA");
  // The same kid is not enough: a key generated again under an old kid signs what proxies refuse.
  const signedWithCurrent = async (jws: string) => {
    if (kidOf(jws) !== deps.signingKey.kid) return false;
    return compactVerify(jws, publicKey, { algorithms: ["EdDSA"] }).then(() => true, () => false);
  };
  return deps.sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${CONFIG_LOCK_ID})`;
    const stale: { region: string; jws: string | null }[] = [];
    for (const newest of await newestSnapshotPerRegion(tx)) {
      if (newest.jws === null || !(await signedWithCurrent(newest.jws))) stale.push(newest);
    }
    if (stale.length === 0) return null;
    const republished: Republished = { version: 0, regions: stale.map((s) => s.region), signedBy: stale.map((s) => (s.jws === null ? null : kidOf(s.jws))) };
    await configChangeLocked(tx, deps, CONFIG_ACTOR, async () => ({
      result: null,
      audit: { action: "snapshot.republish", target: "snapshots", after: { kid: deps.signingKey.kid, regions: republished.regions } },
      onVersion: async (_tx, version) => {
        republished.version = version;
      },
    }));
    return republished;
  }) as Promise<Republished | null>;
}
