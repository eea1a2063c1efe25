/**
 * What the snapshot loop remembers of the last snapshot it refused (bad signature, unpinned key, wrong
 * region, older than held, over the byte cap), so it is neither downloaded nor logged again: the
 * control plane's ETag for it, listed in If-None-Match beside the held version's so the control plane
 * answers 304 until it publishes another version (RFC 9110 §13.1.2; control-plane/http/snapshot.route.ts
 * takes a list and names its latest version in the 304's ETag), and its SHA-256 for a server that sends
 * no ETag or ignores the list. Never the JWS itself, which may be hundreds of MB. A refusal depends
 * only on the bytes, the pinned keys and the region, fixed while the proxy runs; but an ETag names a
 * version, not its bytes, and a copy damaged or replaced on the way would keep the genuine one out until
 * the next publish. So the refused ETag is listed for `recheckMs` (5 min) at a time: then the version is
 * downloaded once more, and the same bytes (same hash) are remembered again without a log line.
 * ETags are compared weakly (RFC 9110 §8.8.3.2, as If-None-Match is): a compressing intermediary (nginx's
 * gzip, Cloudflare) weakens the tag of the 200 it compresses, W/"2", and passes the bodiless 304 with the
 * control plane's "2"; both name the refused version.
 *
 * @example const refused = new RefusedSnapshot(); headers["if-none-match"] = refused.ifNoneMatch(held) ?? "";
 */
const sha256 = (text: string) => new Bun.CryptoHasher("sha256").update(text).digest("hex");

/** The opaque tag, without a weak indicator: what RFC 9110's weak comparison compares. */
const opaque = (etag: string) => (etag.startsWith("W/") ? etag.slice(2) : etag);
/** Whether two entity tags are weakly equal (either may be null: never equal). */
const sameTag = (a: string | null, b: string | null) => a !== null && b !== null && opaque(a) === opaque(b);

export const REFUSED_RECHECK_MS = 5 * 60_000;

export class RefusedSnapshot {
  private etag: string | null = null;
  private hash: string | null = null;
  /** When the refused snapshot was last downloaded or refused unread. */
  private since = 0;

  constructor(private readonly recheckMs = REFUSED_RECHECK_MS) {}

  /** If-None-Match for a poll: the held version's tag and the refused one's (until a recheck is due), or null for none. */
  ifNoneMatch(heldVersion: number, now = Date.now()): string | null {
    const tags = heldVersion > 0 ? [`"${heldVersion}"`] : [];
    if (this.etag !== null && now - this.since < this.recheckMs && !sameTag(this.etag, tags[0] ?? null)) tags.push(this.etag);
    return tags.length > 0 ? tags.join(", ") : null;
  }

  /** A 304 whose ETag names the refused version: the control plane's latest is still that one, not the held one. */
  isLatest(etag: string | null, heldVersion: number): boolean {
    return sameTag(etag, this.etag) && !sameTag(etag, `"${heldVersion}"`);
  }

  /** Whether this ETag is the refused snapshot's. */
  knows(etag: string | null): boolean {
    return sameTag(etag, this.etag);
  }

  /** Whether this body is the refused snapshot's (its hash; only computed while one is remembered). */
  matches(jws: string, now = Date.now()): boolean {
    const same = this.hash !== null && sha256(jws) === this.hash;
    if (same) this.since = now;
    return same;
  }

  /** `jws` null: refused unread (over the byte cap), known by its ETag alone. */
  remember(etag: string | null, jws: string | null, now = Date.now()): void {
    this.etag = etag;
    this.hash = jws === null ? null : sha256(jws);
    this.since = now;
  }

  clear(): void {
    this.etag = null;
    this.hash = null;
  }
}
