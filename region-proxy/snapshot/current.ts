/**
 * The snapshot a proxy serves from, with what /health reports about it. One instance per proxy,
 * created in main.ts; swapped atomically (a single reference assignment) so a request sees one
 * snapshot from start to end.
 *
 * Its age (/health `snapshotAgeSeconds`, /metrics `gateway_snapshot_age_seconds`) is the time since the
 * control plane last confirmed the held snapshot current: what operators alert on for a region serving
 * configuration the control plane has not confirmed. A snapshot read back from KV at a restart keeps
 * its stored confirmation time (apply-snapshot.ts loadStoredSnapshot), so restarts during an outage do
 * not reset it.
 */
import type { Snapshot } from "../../shared/snapshot/schema.ts";

export interface LoadedSnapshot {
  snapshot: Snapshot;
  jws: string;
  /** Aliases sorted by name, for /v1/models. */
  aliasNames: string[];
  /** Unix seconds of issuedAt, for the `created` field of /v1/models. */
  issuedAtSeconds: number;
}

export class CurrentSnapshot {
  private loaded: LoadedSnapshot | null = null;
  /** When the control plane last confirmed the held snapshot current, ms (for one read back from KV: as stored). */
  private confirmedAt = 0;
  /** Whether the last poll reached the control plane. */
  controlPlaneReachable = false;
  /** The version last written to KV (what a restart would boot on); behind `version()` after a failed save. */
  savedVersion = 0;
  /** The confirmation time last written to KV with `savedVersion` (apply-snapshot.ts saveHeldSnapshot), ms. */
  savedConfirmedAt = 0;
  /**
   * A run of saves the KV refused (a full or read-only disk), null while saves work: the write pending
   * ("snapshot": the held version is not stored; "confirmation": only when it was last confirmed), of
   * which version, when last tried (ms) and how many attempts failed. Retried at the save rhythm, a newer
   * version at once; logged when it starts, when a snapshot joins a confirmation run, and when it ends
   * (apply-snapshot.ts saveHeldSnapshot).
   */
  saveRefused: { write: "snapshot" | "confirmation"; version: number; triedAt: number; attempts: number } | null = null;
  /** Told of every snapshot swapped in, right after the swap (main.ts: streams its keys no longer pass end). */
  onSwap: ((loaded: LoadedSnapshot) => void) | null = null;

  get(): LoadedSnapshot | null {
    return this.loaded;
  }

  version(): number {
    return this.loaded?.snapshot.version ?? 0;
  }

  /** Builds what is served with `snapshot` (its indexes) and swaps it in. */
  swap(snapshot: Snapshot, jws: string, now = Date.now()): void {
    this.install(loadedSnapshot(snapshot, jws), now);
  }

  /**
   * Serves `loaded` from now on: one assignment, so a request in flight keeps the snapshot it started with.
   * `confirmedAt`: when the control plane last confirmed it (now for one it just served).
   */
  install(loaded: LoadedSnapshot, confirmedAt = Date.now()): void {
    this.loaded = loaded;
    this.confirmedAt = confirmedAt;
    this.onSwap?.(loaded);
  }

  confirm(now = Date.now()): void {
    if (this.loaded) this.confirmedAt = now;
  }

  /** When the control plane last confirmed the held snapshot current, ms (0 when none is held). */
  lastConfirmedAt(): number {
    return this.loaded ? this.confirmedAt : 0;
  }

  /** Seconds since the control plane last confirmed the held snapshot current; null when none is held. */
  ageSeconds(now = Date.now()): number | null {
    return this.loaded ? Math.max(0, Math.floor((now - this.confirmedAt) / 1000)) : null;
  }
}

/** A verified snapshot with the indexes built once per swap, ready for `CurrentSnapshot.install`. */
export function loadedSnapshot(snapshot: Snapshot, jws: string): LoadedSnapshot {
  const issued = Date.parse(snapshot.issuedAt);
  return {
    snapshot,
    jws,
    aliasNames: Object.keys(snapshot.aliases).sort(),
    issuedAtSeconds: Number.isFinite(issued) ? Math.floor(issued / 1000) : 0,
  };
}
