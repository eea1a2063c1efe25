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

const MAX_BACKOFF_FACTOR = 32;
const MAX_BACKOFF_MS = 60_000;

/** The pause before the next poll: pollMs, doubled per failed poll in a row, capped. */
export function pauseMs(pollMs: number, failures: number): number {
  const cap = Math.max(pollMs, Math.min(pollMs * MAX_BACKOFF_FACTOR, MAX_BACKOFF_MS));
  return Math.min(pollMs * 2 ** Math.min(failures, 30), cap);
}

export function startSnapshotLoop(deps: SnapshotLoopDeps): SnapshotLoop {
  const url = `${deps.controlPlaneUrl.replace(/\/+$/, "")}${SNAPSHOT_PATH_PREFIX}${encodeURIComponent(deps.region)}`;
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  // A refused snapshot stays refused: remembering it keeps a bad publish from flooding the log every poll.
  let lastRefused: string | null = null;
  // Polls in a row that failed (unreachable, timed out, 5xx or 429): each doubles the pause, up to
  // MAX_BACKOFF_FACTOR × pollMs (at most a minute), so replicas do not hammer a control plane that is down.
  let failures = 0;

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
      failures = response.status >= 500 || response.status === 429 ? failures + 1 : 0;
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
      failures++;
      if (!stopped) deps.log(`snapshot poll failed: ${(error as Error).message}`);
    }
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
