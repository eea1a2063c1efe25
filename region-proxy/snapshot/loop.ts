/**
 * Polls the control plane for this region's snapshot (shared/internal-api.ts): region token,
 * X-Proxy-Id, X-Proxy-Snapshot-Version and X-Proxy-Snapshot-Digest (what is held: after a database
 * restore the control plane may have signed the held version again with other content, and then
 * publishes past it), If-None-Match (the held version, and a refused one), and
 * X-Usage-Outbox-Oldest-Age-Ms (how old the oldest usage event the outbox has not shipped is, 0 when
 * none: the control plane needs the outbox drained past a lapsed lease of this region's before it
 * releases it: control-plane/budgets/region-heard.repo.ts);
 * 200 → applySnapshot, 304 → confirmed; after every poll, answered or not, what is held is saved if the
 * KV is behind it (apply-snapshot.ts saveHeldSnapshot, at its own rhythm). Never on the request path; a failed poll only flips
 * `controlPlaneReachable` and lengthens the pause before the next. A 401 or 403 (the region token
 * unknown, revoked, or another region's) is a failed poll too, and not "reachable": this proxy will get
 * no snapshot until its token is fixed; it is logged once per run of refusals, not at every poll. So is a
 * redirect, which is never followed (fetch-snapshot.ts): whatever answers at its Location is not the
 * control plane, and its 304 would confirm the held snapshot with nothing signed. A 404 is the control
 * plane's "no snapshot for this region yet" (reachable, not a failure) only with its JSON error for this
 * region (noSnapshotYetMessage); any other 404 (CONTROL_PLANE_URL naming another path: the GraphQL
 * endpoint, an ingress prefix left out) is a failed poll and not "reachable". Either is logged once per
 * run, naming the URL (credentials masked).
 */
import { noSnapshotYetMessage, PROXY_ID_HEADER, PROXY_SNAPSHOT_DIGEST_HEADER, PROXY_SNAPSHOT_VERSION_HEADER, SNAPSHOT_PATH_PREFIX, USAGE_OUTBOX_OLDEST_AGE_HEADER } from "../../shared/internal-api.ts";
import { shownUrl } from "../../shared/config/shown-url.ts";
import { endpointUrl } from "../../shared/http/endpoint-url.ts";
import { snapshotDigest } from "../../shared/snapshot/snapshot-digest.ts";
import { applySnapshot, saveHeldSnapshot, type ApplyDeps } from "./apply-snapshot.ts";
import type { LoadedSnapshot } from "./current.ts";
import { fetchSnapshot, type SnapshotAnswer } from "./fetch-snapshot.ts";
import { RefusedSnapshot } from "./refused-snapshot.ts";
import { redactedExcerpt } from "../credentials/redact-credential.ts";

export interface SnapshotLoopDeps extends ApplyDeps {
  controlPlaneUrl: string;
  regionToken: string;
  proxyId: string;
  pollMs: number;
  /** Age in ms of the oldest usage event the outbox has not shipped (0: none), read at each poll (no function: the header is not sent). */
  oldestUnshippedAgeMs?: () => number;
  /** Until the answer's status and headers, so a hanging control plane cannot stall the loop (default 5 s). */
  requestTimeoutMs?: number;
  /** Then for the snapshot body alone, which may be tens of MB (SNAPSHOT_DOWNLOAD_TIMEOUT_MS, default 60 s). */
  downloadTimeoutMs?: number;
  /** A larger snapshot body is refused, never held whole (SNAPSHOT_MAX_BYTES, default 256 MB). */
  maxBytes?: number;
  /** How long a refused version is not asked for again (default 5 min; refused-snapshot.ts). */
  refusedRecheckMs?: number;
}

export interface SnapshotLoop {
  /** One poll now; resolves when it is done (never rejects). */
  pollOnce(): Promise<void>;
  stop(): Promise<void>;
}

/** 18 MB (a 50,000-key snapshot) in 60 s needs ~2.4 Mbit/s. */
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 60_000;
/** ~14x a 50,000-key snapshot (~18 MB); parsing one costs a few times its size in memory. */
export const DEFAULT_SNAPSHOT_MAX_BYTES = 256 * 1024 * 1024;
const MAX_BACKOFF_FACTOR = 32;
const MAX_BACKOFF_MS = 60_000;

/** The pause before the next poll: pollMs, doubled per failed poll in a row, capped. */
export function pauseMs(pollMs: number, failures: number): number {
  const cap = Math.max(pollMs, Math.min(pollMs * MAX_BACKOFF_FACTOR, MAX_BACKOFF_MS));
  return Math.min(pollMs * 2 ** Math.min(failures, 30), cap);
}

const isTokenRefusal = (status: number) => status === 401 || status === 403;

/** A 404 that is not the control plane's "no snapshot for this region yet": not from the snapshot route. */
function isForeignNotFound(answer: SnapshotAnswer, region: string): boolean {
  if (!("notFound" in answer)) return false;
  const error = answer.notFound.error;
  return error?.code !== "not_found" || error.message !== noSnapshotYetMessage(region);
}

function tokenRefusalReason(status: number, region: string): string {
  return status === 401
    ? "REGION_TOKEN is refused (unknown or revoked)"
    : `REGION_TOKEN is refused for region ${region} (a token of another region, or REGION misspelled)`;
}

export function startSnapshotLoop(deps: SnapshotLoopDeps): SnapshotLoop {
  const url = endpointUrl(deps.controlPlaneUrl, `${SNAPSHOT_PATH_PREFIX}${encodeURIComponent(deps.region)}`);
  const maxBytes = deps.maxBytes ?? DEFAULT_SNAPSHOT_MAX_BYTES;
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  // A refused snapshot stays refused: remembering it (its ETag and hash) keeps it from being downloaded
  // and logged again at every poll.
  const refused = new RefusedSnapshot(deps.refusedRecheckMs);
  // Polls in a row that failed (unreachable, timed out, 5xx or 429, or a snapshot refused): each doubles
  // the pause, up to MAX_BACKOFF_FACTOR × pollMs (at most a minute), so replicas do not hammer a control
  // plane that is down or keeps serving a snapshot they cannot take.
  let failures = 0;
  // The held version, when the control plane served it with other bytes (apply-snapshot.ts "conflict"):
  // a 304 for that version then confirms nothing, until another version is held. The conflicting
  // snapshot's digest too: served again (a control plane that cannot republish yet answers every poll
  // with it), it is not verified, parsed nor logged again.
  let conflictVersion: number | null = null;
  let conflictDigest: string | null = null;
  // The status of the refusal (401/403) the current run of them started with: logged once per run.
  let tokenRefused: number | null = null;
  // The redirect ("307 to …") the current run of them answered with: logged once per run.
  let redirected: string | null = null;
  // The 404 the current run of them is ("not_yet": the control plane's own; "foreign": another's): logged once per run.
  let notFound: "not_yet" | "foreign" | null = null;
  // The held snapshot's digest, hashed once per snapshot held, not at every poll (the JWS may be tens of MB).
  const digests = new WeakMap<LoadedSnapshot, string>();
  const heldDigest = (loaded: LoadedSnapshot): string => {
    let digest = digests.get(loaded);
    if (digest === undefined) digests.set(loaded, (digest = snapshotDigest(loaded.jws)));
    return digest;
  };

  async function poll(): Promise<void> {
    const version = deps.current.version();
    const headers: Record<string, string> = {
      authorization: `Bearer ${deps.regionToken}`,
      [PROXY_ID_HEADER]: deps.proxyId,
      [PROXY_SNAPSHOT_VERSION_HEADER]: String(version),
    };
    const loaded = deps.current.get();
    if (loaded) headers[PROXY_SNAPSHOT_DIGEST_HEADER] = heldDigest(loaded);
    if (deps.oldestUnshippedAgeMs) headers[USAGE_OUTBOX_OLDEST_AGE_HEADER] = String(Math.max(0, Math.round(deps.oldestUnshippedAgeMs())));
    const ifNoneMatch = refused.ifNoneMatch(version);
    if (ifNoneMatch !== null) headers["if-none-match"] = ifNoneMatch;
    try {
      const answer = await fetchSnapshot(url, headers, { signal: abort.signal, headersMs: deps.requestTimeoutMs ?? 5000, bodyMs: deps.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS, maxBytes });
      deps.current.controlPlaneReachable = answer.status < 500 && !isTokenRefusal(answer.status) && !("redirect" in answer) && !isForeignNotFound(answer, deps.region);
      failures = (await handle(answer, version)) ? 0 : failures + 1;
    } catch (error) {
      deps.current.controlPlaneReachable = false;
      failures++;
      if (!stopped) deps.log(`snapshot poll failed: ${(error as Error).message}`);
    }
    // Whatever the answer, a held version the KV refused to save is tried again (at the save rhythm:
    // saveHeldSnapshot holds attempts CONFIRMED_SAVE_EVERY_MS apart): a disk that recovers while the
    // control plane is down must not leave it unsaved for the whole outage, when a restart would boot on
    // the older stored version and, no poll getting through, stay there. After a 304 this also saves the
    // confirmation; after a 200 the apply already tried, and this is a no-op.
    if (!stopped) await saveHeldSnapshot(deps);
  }

  /** Acts on one answer; false when the poll counts as failed for the backoff. The held snapshot serves on either way. */
  async function handle(answer: SnapshotAnswer, version: number): Promise<boolean> {
    if ("redirect" in answer) {
      if (redirected !== answer.redirect) deps.log(`snapshot poll: the control plane answered with a redirect (${answer.redirect}), which is not followed: CONTROL_PLANE_URL should name the control plane itself; backing off, keeping version ${version} (logged again when this changes)`);
      redirected = answer.redirect;
      return false;
    }
    if (redirected !== null) deps.log(`snapshot poll: the control plane answers again without a redirect (answered ${answer.status})`);
    redirected = null;
    if (isTokenRefusal(answer.status)) {
      if (tokenRefused !== answer.status) deps.log(`snapshot poll: control plane answered ${answer.status}: ${tokenRefusalReason(answer.status, deps.region)}; backing off, keeping version ${version} (logged again when this changes)`);
      tokenRefused = answer.status;
      return false;
    }
    if (tokenRefused !== null) deps.log(`snapshot poll: control plane accepts the region token again (answered ${answer.status})`);
    tokenRefused = null;
    if ("notFound" in answer) {
      const foreign = isForeignNotFound(answer, deps.region);
      const situation = foreign ? "foreign" : "not_yet";
      // The body's start is logged without the region token: what answered is whatever sits at
      // CONTROL_PLANE_URL, and an ingress's page may echo the request's Authorization header.
      if (notFound !== situation) {
        deps.log(
          foreign
            ? `snapshot poll: 404 from ${shownUrl(url)} is not the control plane's snapshot answer (${JSON.stringify(redactedExcerpt(answer.notFound.start, 80, deps.regionToken))}): CONTROL_PLANE_URL should be the control plane's base URL (a wrong or missing path prefix?); backing off, keeping version ${version} (logged again when this changes)`
            : `snapshot poll: the control plane has no snapshot for region ${deps.region} yet (404 from ${shownUrl(url)}); ${version > 0 ? `keeping version ${version}` : "not ready until one is published"} (logged again when this changes)`,
        );
      }
      notFound = situation;
      return !foreign;
    }
    if (notFound === "foreign") deps.log(`snapshot poll: ${shownUrl(url)} answers as the control plane again (answered ${answer.status})`);
    notFound = null;
    if ("jws" in answer) {
      if (refused.matches(answer.jws)) return false;
      if (conflictVersion === version && conflictDigest === snapshotDigest(answer.jws)) return false;
      const outcome = await applySnapshot(answer.jws, deps, { persist: true });
      if (outcome === "conflict") {
        conflictVersion = version;
        conflictDigest = snapshotDigest(answer.jws);
        return false;
      }
      if (outcome !== "refused") return (refused.clear(), true);
      refused.remember(answer.etag, answer.jws);
      return false;
    }
    if ("tooLarge" in answer) {
      if (!refused.knows(answer.etag)) deps.log(`snapshot refused: the answer is larger than ${maxBytes} bytes (SNAPSHOT_MAX_BYTES); keeping version ${version}`);
      refused.remember(answer.etag, null);
      return false;
    }
    if (answer.status === 304) {
      // Not modified because the latest is the refused version: the held one is not confirmed current.
      const stillRefused = refused.isLatest(answer.etag, version) || conflictVersion === version;
      if (!stillRefused) deps.current.confirm();
      return !stillRefused;
    }
    deps.log(`snapshot poll: control plane answered ${answer.status}`);
    return answer.status < 500 && answer.status !== 429;
  }

  const pollOnce = () => (running = running.then(poll));
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void pollOnce().then(schedule), pauseMs(deps.pollMs, failures));
  };
  schedule();

  return {
    pollOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      abort.abort();
      await running;
    },
  };
}
