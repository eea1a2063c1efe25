/**
 * The two internal HTTP endpoints between a region proxy and the control plane. Both authenticate
 * the proxy with its region's bearer token (issued by the `createRegion` mutation, stored hashed).
 *
 * GET  /internal/v1/snapshots/{region}
 *   headers: Authorization: Bearer <region token>, X-Proxy-Id, X-Proxy-Snapshot-Version (0 if none),
 *            X-Proxy-Snapshot-Digest (the held snapshot's digest: shared/snapshot/snapshot-digest.ts; none if none),
 *            X-Usage-Outbox-Oldest-Age-Ms (age of the oldest usage event its outbox has not shipped, 0 if none),
 *            If-None-Match (the ETag it holds)
 *   200: body is the compact JWS (content-type application/jose), ETag: "<version>"
 *   304: unchanged (never when the reported digest is not the latest version's); 401: bad token; 403: token of another region;
 *   404: no snapshot for that region yet: { error: { code: "not_found", message: noSnapshotYetMessage(region) } }
 *   (any other 404, e.g. the route table's "no such route", is not the snapshot route's: a wrong CONTROL_PLANE_URL)
 *
 * POST /internal/v1/usage
 *   body: UsageBatch (shared/usage/usage-event.ts), at most MAX_USAGE_BATCH events
 *   200: UsageBatchAck; every id in ackedEventIds may leave the outbox
 *
 * GET  /.well-known/jwks.json: the public keys snapshots are signed with (pin them in the proxies).
 */
export const SNAPSHOT_PATH_PREFIX = "/internal/v1/snapshots/";
export const USAGE_PATH = "/internal/v1/usage";
export const JWKS_PATH = "/.well-known/jwks.json";
export const MAX_USAGE_BATCH = 500;
/** The message of the snapshot route's 404 (code not_found) for a region with no snapshot yet: the proxy tells it from any other 404 by it. */
export const noSnapshotYetMessage = (region: string) => `no snapshot for region ${region} yet`;
/** The usage endpoint refuses a larger body with 413 (batch_too_large); the proxy's flusher keeps its batches well below it. */
export const MAX_USAGE_BODY_BYTES = 4 * 1024 * 1024;

export const PROXY_ID_HEADER = "x-proxy-id";
export const PROXY_SNAPSHOT_VERSION_HEADER = "x-proxy-snapshot-version";
/**
 * The SHA-256 (hex) of the held snapshot's JWS. The version alone does not name the content: after a
 * database restore the control plane can sign a version number again with other content; the same
 * version with another digest is republished past (control-plane/snapshots/republish-past-version.ts).
 * Not sent by proxies older than it: they are answered by version alone, as before.
 */
export const PROXY_SNAPSHOT_DIGEST_HEADER = "x-proxy-snapshot-digest";
/**
 * On each snapshot poll: how long ago (ms, by the proxy's clock) the oldest usage event its outbox has
 * not had acknowledged by the control plane was recorded (stored, or handed over and not yet stored);
 * 0 when it holds none. An age, not a time, so the proxy's clock does not matter: the control plane
 * keeps its receive time minus the age as the proxy's drained_up_to (all its usage recorded before
 * has shipped). A region whose lease lapsed counts as heard from only once its proxies' drained_up_to
 * passes the lapse (control-plane/budgets/region-heard.repo.ts).
 */
export const USAGE_OUTBOX_OLDEST_AGE_HEADER = "x-usage-outbox-oldest-age-ms";
