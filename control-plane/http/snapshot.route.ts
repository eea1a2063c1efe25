/**
 * GET /internal/v1/snapshots/{region}: the latest signed snapshot for a proxy of that region, with
 * ETag/304 so an unchanged poll costs one indexed lookup and no body. A proxy that reports its held
 * snapshot's digest is answered 304 only when that digest is the latest's: the ETag names a version,
 * and after a database restore one version can have been signed with two contents.
 */
import { noSnapshotYetMessage, PROXY_ID_HEADER, PROXY_SNAPSHOT_DIGEST_HEADER, PROXY_SNAPSHOT_VERSION_HEADER, SNAPSHOT_PATH_PREFIX, USAGE_OUTBOX_OLDEST_AGE_HEADER } from "../../shared/internal-api.ts";
import { SNAPSHOT_DIGEST_PATTERN } from "../../shared/snapshot/snapshot-digest.ts";
import type { ConfigChangeDeps } from "../snapshots/config-change.ts";
import { republishPastVersion, type AheadClaim } from "../snapshots/republish-past-version.ts";
import { latestSnapshot, latestSnapshotHead, recordProxy } from "../snapshots/snapshot.repo.ts";
import { jsonError } from "./json-error.ts";
import { authenticateRegion, BEARER_CHALLENGE } from "./region-auth.ts";
import { PROXY_ID_PATTERN } from "../../shared/snapshot/proxy-id.ts";

const VERSION_PATTERN = /^\d{1,9}$/;
/** The age in ms of the oldest unshipped usage event (up to ~30,000 years); anything else is recorded as not reported. */
const AGE_PATTERN = /^\d{1,15}$/;

/** RFC 9110 If-None-Match: a list of (possibly weak) tags, or `*`. */
function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t === etag || t === `W/${etag}`;
  });
}

const notModified = (version: number) => new Response(null, { status: 304, headers: { etag: `"${version}"` } });
const notYet = (region: string) => jsonError(404, "not_found", noSnapshotYetMessage(region));

export interface SnapshotRouteDeps extends ConfigChangeDeps {
  log: (line: string) => void;
}

/**
 * A proxy holding a version above the latest, or the latest with another digest (a database restored
 * from a backup): logged loudly and republished past it (republish-past-version.ts), so this very poll
 * gets a strictly newer snapshot. A failure (the config lock busy) is logged; the next poll tries again.
 */
async function catchUpWithProxy(deps: SnapshotRouteDeps, claim: AheadClaim, latest: number): Promise<void> {
  const { region, proxyId, heldVersion: held } = claim;
  const what = held > latest ? `above the latest version ${latest}` : `with other content than the control plane's version ${latest}`;
  deps.log(
    `control plane: proxy ${proxyId ?? "(no id)"} of region ${region} holds snapshot version ${held}, ${what}: ` +
      `the database was restored from a backup or lost its latest commits (changes made after the backup are gone; check them); ` +
      `republishing the configuration as a version above ${held}`,
  );
  try {
    const done = await republishPastVersion(deps, claim);
    if (done) deps.log(`control plane: configuration republished as version ${done.version} (was ${done.latestBefore}) past proxy ${proxyId ?? "(no id)"}'s version ${held}`);
  } catch (error) {
    deps.log(`control plane: republishing past version ${held} failed (${(error as Error).message}); retrying at the next poll`);
  }
}

export async function handleSnapshot(deps: SnapshotRouteDeps, request: Request, pathname: string): Promise<Response> {
  const { sql } = deps;
  if (request.method !== "GET") return jsonError(405, "method_not_allowed", "use GET", { allow: "GET" });
  let region: string;
  try {
    region = decodeURIComponent(pathname.slice(SNAPSHOT_PATH_PREFIX.length));
  } catch {
    // Malformed percent-encoding (%E0%A4%A) is the caller's mistake, not a server error.
    return jsonError(400, "bad_request", "the region in the path is not valid percent-encoding");
  }
  const tokenRegion = await authenticateRegion(sql, request);
  if (!tokenRegion) return jsonError(401, "unauthenticated", "missing or invalid region token", BEARER_CHALLENGE);
  if (tokenRegion !== region) return jsonError(403, "forbidden", "this token belongs to another region");
  // Untrusted headers: record the proxy only when they are well formed, ignore them otherwise.
  const headerId = request.headers.get(PROXY_ID_HEADER);
  const proxyId = headerId && PROXY_ID_PATTERN.test(headerId) ? headerId : null;
  const versionHeader = request.headers.get(PROXY_SNAPSHOT_VERSION_HEADER) ?? "";
  const heldVersion = VERSION_PATTERN.test(versionHeader) ? Number(versionHeader) : 0;
  const digestHeader = request.headers.get(PROXY_SNAPSHOT_DIGEST_HEADER) ?? "";
  const heldDigest = SNAPSHOT_DIGEST_PATTERN.test(digestHeader) ? digestHeader : null;
  if (proxyId) {
    const ageHeader = request.headers.get(USAGE_OUTBOX_OLDEST_AGE_HEADER) ?? "";
    await recordProxy(sql, proxyId, region, heldVersion, AGE_PATTERN.test(ageHeader) ? Number(ageHeader) : null);
  }
  // The version first, the JWS (megabytes on a large config) only when the poller lacks it.
  let head = await latestSnapshotHead(sql, region);
  if (head === null) return notYet(region);
  // Another digest of the latest version: what the proxy holds was signed under that number before a restore.
  const otherContent = (h: { version: number; digest: string }) => heldDigest !== null && heldVersion === h.version && heldDigest !== h.digest;
  if (heldVersion > head.version || otherContent(head)) {
    await catchUpWithProxy(deps, { region, proxyId, heldVersion, heldDigest }, head.version);
    head = (await latestSnapshotHead(sql, region)) ?? head;
  }
  const version = head.version;
  const held = request.headers.get("if-none-match");
  // Not 304 for other content (the republish failed): the proxy sees the conflict and does not confirm what it holds.
  if (etagMatches(held, `"${version}"`) && !otherContent(head)) return notModified(version);
  // Read again with its version: a change committed since may have published a newer one.
  const snapshot = await latestSnapshot(sql, region);
  if (!snapshot) return notYet(region);
  if (etagMatches(held, `"${snapshot.version}"`) && !otherContent(snapshot)) return notModified(snapshot.version);
  const etag = `"${snapshot.version}"`;
  return new Response(snapshot.jws, { status: 200, headers: { "content-type": "application/jose", etag, "cache-control": "no-cache" } });
}
