/**
 * A new version the KV refused to save (disk full, read-only mount) is retried at failed polls too, not
 * only at a 200 or a 304: a disk that recovers while the control plane is down (network error, 5xx)
 * would otherwise leave the served version unsaved for the whole outage, and a proxy restarted in it
 * boots on the older stored version and stays there, CP down: a key revoked in the newer version works
 * again. Retries keep the save rhythm (CONFIRMED_SAVE_EVERY_MS) and the refusal is logged once.
 *
 * Time passing is Date's clock moved forward (setSystemTime), not waited for.
 */
import { afterAll, afterEach, expect, setSystemTime, test } from "bun:test";
import { CONFIRMED_SAVE_EVERY_MS, loadStoredSnapshot } from "./apply-snapshot.ts";
import { CurrentSnapshot } from "./current.ts";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { loopAgainst, refusingVersion1 } from "./refusing-kv-fixture.ts";
import { loadSnapshotJws } from "./snapshot-store.ts";

const MINUTE = 60_000;
const dirs = tempDirs();
afterEach(() => setSystemTime());
afterAll(dirs.removeAll);

/**
 * A proxy holding version 1 (saved) whose control plane serves version 2 at the first poll, while the
 * disk refuses writes, then fails every poll with `outage` (a 503, or the connection refused).
 */
async function version2UnsavedThenOutage(outage: "503" | "connection refused") {
  const { real, state, start, deps, lines, sign } = await refusingVersion1(dirs);
  const v2 = await sign(2);
  const { server, pollEachSecond, close: closeLoop } = loopAgainst(deps, start, (poll) => (poll === 1 ? new Response(v2, { headers: { etag: '"2"', "content-type": "application/jose" } }) : new Response("down", { status: 503 })));
  state.refusing = true;
  await pollEachSecond(1, 1);
  expect(deps.current.version()).toBe(2); // served at once, not saved
  expect(state.refusedWrites).toBe(1);
  if (outage === "connection refused") server.stop(true);
  /** Polls once a second from `from` (seconds after start) to `to`, all failing. */
  const pollFailing = (from: number, to: number) => pollEachSecond(from, to, () => expect(deps.current.controlPlaneReachable).toBe(false));
  const close = async () => {
    await closeLoop();
    real.close();
  };
  return { deps, lines, real, state, v2, pollFailing, close };
}

for (const outage of ["503", "connection refused"] as const) {
  test(`disk back while the control plane fails (${outage}): the served version is saved within ${CONFIRMED_SAVE_EVERY_MS / 1000} s of polls, and a restart boots on it`, async () => {
    const { deps, lines, real, state, v2, pollFailing, close } = await version2UnsavedThenOutage(outage);
    try {
      await pollFailing(2, 3);
      const failedAttempts = state.refusedWrites;
      state.refusing = false; // space freed
      await pollFailing(4, 4 + CONFIRMED_SAVE_EVERY_MS / 1000);
      expect(await loadSnapshotJws(real)).toBe(v2);
      expect(lines.filter((line) => line.includes("is saved, after"))).toEqual([`snapshot version 2 is saved, after ${failedAttempts} failed attempt${failedAttempts === 1 ? "" : "s"}`]);
      const restarted = new CurrentSnapshot();
      expect(await loadStoredSnapshot({ ...deps, current: restarted })).toBe("swapped");
      expect(restarted.version()).toBe(2);
    } finally {
      await close();
    }
  });
}

test("disk still refusing while the control plane fails: the save is tried at the save rhythm, not at every failed poll, and the refusal logged once", async () => {
  const { lines, state, pollFailing, close } = await version2UnsavedThenOutage("503");
  try {
    await pollFailing(2, 60);
    expect(state.refusedWrites).toBeGreaterThan(1);
    expect(state.refusedWrites).toBeLessThanOrEqual(MINUTE / CONFIRMED_SAVE_EVERY_MS + 1);
    expect(lines.filter((line) => line.includes("could not be saved"))).toHaveLength(1);
  } finally {
    await close();
  }
});
