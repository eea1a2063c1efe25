/**
 * What identifies a snapshot's content, not only its version: the SHA-256 (hex) of the signed JWS.
 * After a database restore one version number can be signed twice with different content; a proxy
 * reports the digest of what it holds (X-Proxy-Snapshot-Digest, shared/internal-api.ts) and the control
 * plane, which stores it beside the JWS (snapshots.digest, migration 0103), republishes past a version
 * held with another digest. The same hash as SQL's `encode(sha256(convert_to(jws, 'UTF8')), 'hex')`.
 *
 * @example snapshotDigest("eyJ...") // "3f2a…" (64 hex digits)
 */
export const SNAPSHOT_DIGEST_PATTERN = /^[0-9a-f]{64}$/;

export function snapshotDigest(jws: string): string {
  return new Bun.CryptoHasher("sha256").update(jws).digest("hex");
}
