/**
 * Verify → refuse older → swap → persist. A snapshot that fails verification, or is older than the
 * one held, is logged and ignored: the proxy keeps serving what it has. A new version is served at
 * once (a revoked key must stop working) even if saving it fails; the save is retried at every poll
 * until it succeeds, so a restart never boots on an older version than was served.
 *
 * A large snapshot takes a few hundred ms of CPU to verify, parse and index; each phase is followed by a
 * turn of the event loop so requests keep being answered, and the swap itself is one assignment made
 * right after the version check, with nothing awaited between them.
 */
import { verifySnapshot, type TrustedKeys } from "../../shared/snapshot/verify.ts";
import type { Kv } from "../kv/open-kv.ts";
import { yieldToEventLoop } from "../../shared/time/yield-to-event-loop.ts";
import { loadedSnapshot, type CurrentSnapshot } from "./current.ts";
import { loadSnapshotJws, saveSnapshotJws } from "./snapshot-store.ts";

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

export async function applySnapshot(jws: string, deps: ApplyDeps, opts: { persist: boolean }): Promise<ApplyOutcome> {
  const verdict = await verifySnapshot(jws, deps.trusted, deps.region);
  if (!verdict.ok) {
    deps.log(`snapshot refused: ${verdict.reason} (${verdict.detail}); keeping version ${deps.current.version()}`);
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
  deps.current.install(loaded);
  deps.log(`snapshot version ${verdict.snapshot.version} loaded (was ${held})`);
  if (opts.persist) await saveHeldSnapshot(deps);
  else deps.current.savedVersion = verdict.snapshot.version; // read from KV: already saved
  return "swapped";
}

function conflict(deps: ApplyDeps, version: number): "conflict" {
  deps.log(
    `snapshot conflict: the control plane serves version ${version} with other content than the held version ${version} ` +
      `(its database restored from a backup?); keeping the held one, not confirmed, until a higher version is published`,
  );
  return "conflict";
}

/** Saves the held snapshot if KV is behind it; a failure is logged and left for the next poll. */
export async function saveHeldSnapshot(deps: ApplyDeps): Promise<void> {
  const held = deps.current.get();
  if (!held || deps.current.savedVersion >= held.snapshot.version) return;
  try {
    await saveSnapshotJws(deps.kv, held.snapshot.version, held.jws);
    deps.current.savedVersion = held.snapshot.version;
  } catch (error) {
    deps.log(`snapshot version ${held.snapshot.version} is served but could not be saved (${(error as Error).message}); retrying at the next poll`);
  }
}

/** On boot: the last-known-good JWS from KV, verified again (pinned keys may have changed since). */
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
  return applySnapshot(jws, deps, { persist: false });
}
