/**
 * Verify → refuse older → swap → persist. A snapshot that fails verification, or is older than the
 * one held, is logged and ignored: the proxy keeps serving what it has. A new version is served at
 * once (a revoked key must stop working) even if saving it fails; then a restart would boot on the older
 * stored version (which may still let that key through) until its first poll the control plane answers.
 * The save is retried every CONFIRMED_SAVE_EVERY_MS until it succeeds (a newer version is tried at once),
 * at polls that fail as well as answered ones (loop.ts), not at every poll: a KV that refuses writes (full
 * or read-only disk) usually goes on refusing for hours, and each attempt at an 18 MB snapshot costs
 * 210-330 ms of CPU (at SNAPSHOT_POLL_MS 1000, a quarter of a core and a log line a second). Once writes
 * work again, that window outlasts the disk by at most those ~5 s (while the control plane fails, the
 * pause to the next poll, which backs off to at most a minute), small next to the time a restart takes.
 *
 * A large snapshot takes a few hundred ms of CPU to verify, parse and index; each phase is followed by a
 * turn of the event loop so requests keep being answered, and the swap itself is one assignment made
 * right after the version check, with nothing awaited between them.
 *
 * When the control plane last confirmed the held snapshot is saved beside it (snapshot-store.ts), and a
 * snapshot read back at a restart keeps that time: its age (/health, /metrics) goes on growing across
 * restarts during an outage instead of starting again at 0.
 */
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import { verifySnapshot, type TrustedKeys } from "../../shared/snapshot/verify.ts";
import { quotedExcerpt } from "../../shared/text/quoted-excerpt.ts";
import type { Kv } from "../kv/open-kv.ts";
import { yieldToEventLoop } from "../../shared/time/yield-to-event-loop.ts";
import { loadedSnapshot, type CurrentSnapshot } from "./current.ts";
import { loadConfirmedAt, loadSnapshotJws, saveConfirmedAt, saveSnapshotJws, type StoredConfirmation } from "./snapshot-store.ts";

/**
 * "conflict": a verified snapshot of the held version with other bytes. One version was signed twice
 * with different content: the control plane's database was restored from a backup and handed the
 * number out again. Neither is taken as current: the held one keeps serving, unconfirmed (its age in
 * /health grows), until the control plane publishes a higher version (it republishes past a version a
 * proxy reports above its latest, or at its latest with another digest: the loop reports the held
 * snapshot's, control-plane/snapshots/republish-past-version.ts).
 */
export type ApplyOutcome = "swapped" | "unchanged" | "refused" | "conflict";

export interface ApplyDeps {
  region: string;
  trusted: TrustedKeys;
  current: CurrentSnapshot;
  kv: Kv;
  log: (line: string) => void;
}

/**
 * How far the saved confirmation time may lag the held one. A poll confirms every second by default;
 * saving each is cheap (~0.3 ms of CPU for the small value) but needless: a restart reads an age at
 * most this much too high, never too low. Also how often a save the KV refused is tried again.
 */
export const CONFIRMED_SAVE_EVERY_MS = 5_000;

/** How much of a refused snapshot's verdict detail its log line shows (quoted): a parse reason names its field whole. */
const DETAIL_CHARS = 240;

export interface ApplyOptions {
  /** Save what is swapped in (false: it was read from KV). */
  persist: boolean;
  /** When the control plane last confirmed the snapshot swapped in (default: now, it just served it). */
  confirmedAt?: (snapshot: Snapshot) => number;
}

export async function applySnapshot(jws: string, deps: ApplyDeps, opts: ApplyOptions): Promise<ApplyOutcome> {
  const verdict = await verifySnapshot(jws, deps.trusted, deps.region);
  if (!verdict.ok) {
    // Quoted and cut: on some paths the detail holds what the answer sent (jose's bad_signature names a
    // crit header parameter as sent), and a line break must not forge a log line of its own.
    deps.log(`snapshot refused: ${verdict.reason} (${quotedExcerpt(verdict.detail, DETAIL_CHARS)}); keeping version ${deps.current.version()}`);
    return "refused";
  }
  const held = deps.current.version();
  if (verdict.snapshot.version < held) {
    deps.log(`snapshot refused: version ${verdict.snapshot.version} is older than held version ${held}`);
    return "refused";
  }
  if (verdict.snapshot.version === held) {
    if (deps.current.get()!.jws !== jws) return conflict(deps, held);
    deps.current.confirm();
    if (opts.persist) await saveHeldSnapshot(deps);
    return "unchanged";
  }
  const loaded = loadedSnapshot(verdict.snapshot, jws);
  await yieldToEventLoop();
  if (verdict.snapshot.version <= deps.current.version()) {
    // Another apply swapped in this version or a newer one while this one was indexing.
    if (verdict.snapshot.version === deps.current.version()) return deps.current.get()!.jws === jws ? "unchanged" : conflict(deps, held);
    deps.log(`snapshot refused: version ${verdict.snapshot.version} is older than held version ${deps.current.version()}`);
    return "refused";
  }
  const confirmedAt = opts.confirmedAt?.(verdict.snapshot) ?? Date.now();
  deps.current.install(loaded, confirmedAt);
  deps.log(`snapshot version ${verdict.snapshot.version} loaded (was ${held})`);
  if (opts.persist) await saveHeldSnapshot(deps);
  else {
    // Read from KV: already saved, with its confirmation time.
    deps.current.savedVersion = verdict.snapshot.version;
    deps.current.savedConfirmedAt = confirmedAt;
  }
  return "swapped";
}

function conflict(deps: ApplyDeps, version: number): "conflict" {
  deps.log(
    `snapshot conflict: the control plane serves version ${version} with other content than the held version ${version} ` +
      `(its database restored from a backup?); keeping the held one, not confirmed, until a higher version is published`,
  );
  return "conflict";
}

/**
 * Saves the held snapshot if KV is behind it, with when the control plane last confirmed it; if KV
 * holds it already, that time alone once it is CONFIRMED_SAVE_EVERY_MS ahead of the saved one (and of
 * the last refused attempt).
 *
 * A KV that refuses a write (disk full, read-only) usually goes on refusing for hours while the control
 * plane answers every second: like the poll loop's other lasting states, that is logged when it starts
 * and when it ends (with how many attempts failed), and retried every CONFIRMED_SAVE_EVERY_MS, not at
 * every poll; a newer version than the one refused is tried at once. Intervals are measured either way
 * from the last attempt: a clock set back must not hold the next one off until it catches up. Polling
 * and what is served (keys, the age in /health and /metrics) are not affected; only what a restart reads.
 */
export async function saveHeldSnapshot(deps: ApplyDeps): Promise<void> {
  const held = deps.current.get();
  if (!held) return;
  const { version } = held.snapshot;
  const confirmedAt = deps.current.lastConfirmedAt();
  const refused = deps.current.saveRefused;
  if (deps.current.savedVersion >= version) {
    const lastTried = Math.max(deps.current.savedConfirmedAt, refused?.triedAt ?? 0);
    if (deps.current.savedVersion === version && Math.abs(confirmedAt - lastTried) >= CONFIRMED_SAVE_EVERY_MS) await saveConfirmation(deps, version, confirmedAt);
    return;
  }
  const now = Date.now();
  if (refused?.write === "snapshot" && refused.version === version && Math.abs(now - refused.triedAt) < CONFIRMED_SAVE_EVERY_MS) return;
  try {
    await saveSnapshotJws(deps.kv, version, held.jws, confirmedAt);
  } catch (error) {
    const restartBootsOn = deps.current.savedVersion > 0 ? `version ${deps.current.savedVersion}` : "no stored snapshot";
    saveRefused(deps, "snapshot", version, now, `snapshot version ${version} is served but could not be saved (${(error as Error).message}); a restart would boot on ${restartBootsOn}`);
    return;
  }
  deps.current.savedVersion = version;
  deps.current.savedConfirmedAt = confirmedAt; // saved with the pointer
  saveWorks(deps, version);
}

async function saveConfirmation(deps: ApplyDeps, version: number, confirmedAt: number): Promise<void> {
  try {
    await saveConfirmedAt(deps.kv, version, confirmedAt);
  } catch (error) {
    const reportedFrom = new Date(deps.current.savedConfirmedAt).toISOString();
    saveRefused(deps, "confirmation", version, confirmedAt, `snapshot version ${version}: its confirmation by the control plane could not be saved (${(error as Error).message}); a restart would report its age from ${reportedFrom}`);
    return;
  }
  deps.current.savedConfirmedAt = confirmedAt;
  saveWorks(deps, version);
}

/**
 * Counts a refused save in the run on, or starts one. Logged at the start, and when a snapshot save joins
 * a run of refused confirmations (a restart would now boot on an older version, not only report an
 * older age); further refusals, a newer version's included, are counted silently.
 */
function saveRefused(deps: ApplyDeps, write: "snapshot" | "confirmation", version: number, triedAt: number, situation: string): void {
  const run = deps.current.saveRefused;
  deps.current.saveRefused = { write, version, triedAt, attempts: (run?.attempts ?? 0) + 1 };
  if (run?.write === write || (run && write === "confirmation")) return;
  const retried = write === "snapshot" ? `every ${CONFIRMED_SAVE_EVERY_MS / 1000} s and at each newer version` : `every ${CONFIRMED_SAVE_EVERY_MS / 1000} s`;
  deps.log(`${situation}; retrying ${retried} (logged again when this changes)`);
}

/** Ends a run of refused saves, if one was on: logged once, with how many attempts failed. */
function saveWorks(deps: ApplyDeps, version: number): void {
  const run = deps.current.saveRefused;
  if (!run) return;
  deps.current.saveRefused = null;
  const attempts = `${run.attempts} failed attempt${run.attempts === 1 ? "" : "s"}`;
  deps.log(
    run.write === "snapshot"
      ? `snapshot version ${version} is saved, after ${attempts}`
      : `snapshot version ${version}: its confirmation by the control plane is saved again, after ${attempts}`,
  );
}

/**
 * When the control plane last confirmed a snapshot read back from KV: as saved with it. A store saved
 * by an earlier release has no such record (nor has one whose record is of another version, the snapshot
 * saved since by such a release, or cannot be read): then the snapshot's issuedAt, when the control
 * plane signed it, which it confirmed no earlier than that, so the age may read too high but never hides
 * an outage. Never later than now (a clock set back); 0 (the epoch) when not even issuedAt is a time.
 */
export function storedConfirmedAt(snapshot: Snapshot, stored: StoredConfirmation | null, now = Date.now()): number {
  const at = stored?.version === snapshot.version ? stored.at : Date.parse(snapshot.issuedAt);
  return Number.isFinite(at) ? Math.min(at, now) : 0;
}

/**
 * On boot: the last-known-good JWS from KV, verified again (pinned keys may have changed since), its age
 * counted from when the control plane last confirmed it (storedConfirmedAt), not from the restart.
 */
export async function loadStoredSnapshot(deps: ApplyDeps): Promise<ApplyOutcome | "none"> {
  let jws: string | null;
  try {
    jws = await loadSnapshotJws(deps.kv);
  } catch (error) {
    // A corrupt store must not keep the proxy from starting: the control plane's snapshot replaces it.
    deps.log(`stored snapshot cannot be read (${(error as Error).message}); waiting for the control plane`);
    return "none";
  }
  if (jws === null) return "none";
  const confirmation = await loadConfirmedAt(deps.kv);
  return applySnapshot(jws, deps, { persist: false, confirmedAt: (snapshot) => storedConfirmedAt(snapshot, confirmation) });
}
