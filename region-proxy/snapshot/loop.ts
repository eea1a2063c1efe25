/**
 * Polls the control plane for this region's snapshot (shared/internal-api.ts): region token,
 * X-Proxy-Id, X-Proxy-Snapshot-Version and If-None-Match; 200 → applySnapshot, 304 → confirmed.
 * Never on the request path; a failed poll only flips `controlPlaneReachable`.
 */
import { PROXY_ID_HEADER, PROXY_SNAPSHOT_VERSION_HEADER, SNAPSHOT_PATH_PREFIX } from "../../shared/internal-api.ts";
import { applySnapshot, saveHeldSnapshot, type ApplyDeps } from "./apply-snapshot.ts";

export interface SnapshotLoopDeps extends ApplyDeps {
  controlPlaneUrl: string;
  regionToken: string;
  proxyId: string;
  pollMs: number;
  /** Per-poll timeout, so a hanging control plane cannot stall the loop. */
  requestTimeoutMs?: number;
}

export interface SnapshotLoop {
  /** One poll now; resolves when it is done (never rejects). */
  pollOnce(): Promise<void>;
  stop(): Promise<void>;
}

export function startSnapshotLoop(deps: SnapshotLoopDeps): SnapshotLoop {
  const url = `${deps.controlPlaneUrl.replace(/\/+$/, "")}${SNAPSHOT_PATH_PREFIX}${encodeURIComponent(deps.region)}`;
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  // A refused snapshot stays refused: remembering it keeps a bad publish from flooding the log every poll.
  let lastRefused: string | null = null;

  async function poll(): Promise<void> {
    const version = deps.current.version();
    const headers: Record<string, string> = {
      authorization: `Bearer ${deps.regionToken}`,
      [PROXY_ID_HEADER]: deps.proxyId,
      [PROXY_SNAPSHOT_VERSION_HEADER]: String(version),
    };
    if (version > 0) headers["if-none-match"] = `"${version}"`;
    try {
      const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(deps.requestTimeoutMs ?? 5000)]);
      const response = await fetch(url, { headers, signal });
      deps.current.controlPlaneReachable = response.status < 500;
      if (response.status === 200) {
        const jws = await response.text();
        if (jws !== lastRefused && (await applySnapshot(jws, deps, { persist: true })) === "refused") lastRefused = jws;
      }
      else if (response.status === 304) {
        deps.current.confirm();
        await saveHeldSnapshot(deps);
      }
      else if (response.status !== 404) deps.log(`snapshot poll: control plane answered ${response.status}`);
      else await response.body?.cancel();
    } catch (error) {
      deps.current.controlPlaneReachable = false;
      if (!stopped) deps.log(`snapshot poll failed: ${(error as Error).message}`);
    }
  }

  const pollOnce = () => (running = running.then(poll));
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void pollOnce().then(schedule), deps.pollMs);
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
