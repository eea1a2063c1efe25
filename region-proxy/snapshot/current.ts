/**
 * The snapshot a proxy serves from, with what /health reports about it. One instance per proxy,
 * created in main.ts; swapped atomically (a single reference assignment) so a request sees one
 * snapshot from start to end.
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
  /** When the control plane last confirmed the held snapshot (or when it was loaded), ms. */
  private confirmedAt = 0;
  /** Whether the last poll reached the control plane. */
  controlPlaneReachable = false;
  /** The version last written to KV (what a restart would boot on); behind `version()` after a failed save. */
  savedVersion = 0;

  get(): LoadedSnapshot | null {
    return this.loaded;
  }

  version(): number {
    return this.loaded?.snapshot.version ?? 0;
  }

  swap(snapshot: Snapshot, jws: string, now = Date.now()): void {
    const issued = Date.parse(snapshot.issuedAt);
    this.loaded = {
      snapshot,
      jws,
      aliasNames: Object.keys(snapshot.aliases).sort(),
      issuedAtSeconds: Number.isFinite(issued) ? Math.floor(issued / 1000) : 0,
    };
    this.confirmedAt = now;
  }

  confirm(now = Date.now()): void {
    if (this.loaded) this.confirmedAt = now;
  }

  /** Seconds since the held snapshot was loaded or last confirmed current; null when none is held. */
  ageSeconds(now = Date.now()): number | null {
    return this.loaded ? Math.max(0, Math.floor((now - this.confirmedAt) / 1000)) : null;
  }
}
