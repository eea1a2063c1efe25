/**
 * Verify → refuse older → swap → persist. A snapshot that fails verification, or is older than the
 * one held, is logged and ignored: the proxy keeps serving what it has.
 */
import { verifySnapshot, type TrustedKeys } from "../../shared/snapshot/verify.ts";
import type { Kv } from "../kv/open-kv.ts";
import type { CurrentSnapshot } from "./current.ts";
import { loadSnapshotJws, saveSnapshotJws } from "./snapshot-store.ts";

export type ApplyOutcome = "swapped" | "unchanged" | "refused";

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
    deps.current.confirm();
    return "unchanged";
  }
  deps.current.swap(verdict.snapshot, jws);
  if (opts.persist) await saveSnapshotJws(deps.kv, verdict.snapshot.version, jws);
  deps.log(`snapshot version ${verdict.snapshot.version} loaded (was ${held})`);
  return "swapped";
}

/** On boot: the last-known-good JWS from KV, verified again (pinned keys may have changed since). */
export async function loadStoredSnapshot(deps: ApplyDeps): Promise<ApplyOutcome | "none"> {
  const jws = await loadSnapshotJws(deps.kv);
  if (jws === null) return "none";
  return applySnapshot(jws, deps, { persist: false });
}
