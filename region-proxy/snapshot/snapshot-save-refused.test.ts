/**
 * A new snapshot version arriving while the KV refuses writes (disk full, read-only mount) is served at
 * once, but cannot be saved: a restart would boot on the older stored version. Saving an 18 MB snapshot
 * costs 210-330 ms of CPU, and such a disk usually goes on refusing for hours: retried at every poll (one
 * a second) that is a quarter of a core and ~86,000 log lines a day. Like a refused confirmation save
 * (confirmation-save-refused.test.ts) it is one lasting state: logged when it starts and when it ends,
 * retried every CONFIRMED_SAVE_EVERY_MS, and a newer version is tried at once.
 *
 * Time passing is Date's clock moved forward (setSystemTime), not waited for.
 */
import { afterAll, afterEach, expect, setSystemTime, test } from "bun:test";
import { applySnapshot, CONFIRMED_SAVE_EVERY_MS, loadStoredSnapshot } from "./apply-snapshot.ts";
import { CurrentSnapshot } from "./current.ts";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { loopAgainst, poll304, refusingVersion1 } from "./refusing-kv-fixture.ts";
import { loadSnapshotJws } from "./snapshot-store.ts";

const MINUTE = 60_000;
const dirs = tempDirs();
afterEach(() => setSystemTime());
afterAll(dirs.removeAll);

test("a new version that cannot be saved is logged once, retried every 5 s, and its save logged once when writes work again", async () => {
  const { real, state, start, deps, lines, sign } = await refusingVersion1(dirs);
  const v1 = await loadSnapshotJws(real);

  state.refusing = true;
  setSystemTime(new Date(start + 1000));
  const v2 = await sign(2);
  expect(await applySnapshot(v2, deps, { persist: true })).toBe("swapped");
  expect(deps.current.version()).toBe(2); // served at once
  let at = start + 1000;
  for (at += 1000; at <= start + 10 * MINUTE; at += 1000) await poll304(deps, at);

  expect(lines).toEqual([
    "snapshot version 2 loaded (was 1)",
    `snapshot version 2 is served but could not be saved (database or disk is full); a restart would boot on version 1; retrying every ${CONFIRMED_SAVE_EVERY_MS / 1000} s and at each newer version (logged again when this changes)`,
  ]);
  expect(state.refusedWrites).toBeGreaterThan(1);
  expect(state.refusedWrites).toBeLessThanOrEqual((10 * MINUTE) / CONFIRMED_SAVE_EVERY_MS + 1);
  expect(deps.current.ageSeconds()).toBe(0);
  expect(await loadSnapshotJws(real)).toBe(v1);
  const failedAttempts = state.refusedWrites;

  // Space is freed: saved within the rhythm, logged once with the count; a restart boots on version 2.
  state.refusing = false;
  for (let i = 0; i < 30; i++) await poll304(deps, (at += 1000));
  expect(lines.slice(2)).toEqual([`snapshot version 2 is saved, after ${failedAttempts} failed attempts`]);
  expect(deps.current.saveRefused).toBeNull();
  const restarted = new CurrentSnapshot();
  expect(await loadStoredSnapshot({ ...deps, current: restarted })).toBe("swapped");
  expect(restarted.version()).toBe(2);
  expect(restarted.ageSeconds()).toBeLessThanOrEqual(CONFIRMED_SAVE_EVERY_MS / 1000);
  real.close();
});

test("a newer version is tried at once, not held off by the rhythm, and counted in the same run", async () => {
  const { real, state, start, deps, lines, sign } = await refusingVersion1(dirs);
  state.refusing = true;
  setSystemTime(new Date(start + 1000));
  await applySnapshot(await sign(2), deps, { persist: true });
  expect(state.refusedWrites).toBe(1);
  setSystemTime(new Date(start + 2000));
  await applySnapshot(await sign(3), deps, { persist: true });
  expect(state.refusedWrites).toBe(2);
  expect(lines.filter((line) => line.includes("could not be saved"))).toHaveLength(1);
  state.refusing = false;
  setSystemTime(new Date(start + 3000));
  const v4 = await sign(4);
  await applySnapshot(v4, deps, { persist: true });
  expect(await loadSnapshotJws(real)).toBe(v4);
  expect(lines.at(-1)).toBe("snapshot version 4 is saved, after 2 failed attempts");
  real.close();
});

test("a new version refused during a refused confirmation run is logged, since a restart would now boot on an older version", async () => {
  const { real, state, start, deps, lines, sign } = await refusingVersion1(dirs);
  state.refusing = true;
  for (let i = 1; i <= 30; i++) await poll304(deps, start + i * 1000);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain("its confirmation by the control plane could not be saved");
  setSystemTime(new Date(start + 31_000));
  await applySnapshot(await sign(2), deps, { persist: true });
  for (let i = 32; i <= 90; i++) await poll304(deps, start + i * 1000);
  expect(lines.slice(1)).toEqual([
    "snapshot version 2 loaded (was 1)",
    `snapshot version 2 is served but could not be saved (database or disk is full); a restart would boot on version 1; retrying every ${CONFIRMED_SAVE_EVERY_MS / 1000} s and at each newer version (logged again when this changes)`,
  ]);
  const failedAttempts = state.refusedWrites;
  state.refusing = false;
  await poll304(deps, start + 95_000);
  expect(lines.at(-1)).toBe(`snapshot version 2 is saved, after ${failedAttempts} failed attempts`);
  real.close();
});

test("a clock set back during a refused snapshot save does not hold the next attempt off until it catches up", async () => {
  const { real, state, start, deps, lines, sign } = await refusingVersion1(dirs);
  state.refusing = true;
  setSystemTime(new Date(start + 10 * MINUTE));
  const v2 = await sign(2);
  await applySnapshot(v2, deps, { persist: true });
  expect(state.refusedWrites).toBe(1);
  state.refusing = false;
  // NTP steps the clock back an hour; the next poll tries again and saves.
  await poll304(deps, start - 50 * MINUTE);
  expect(await loadSnapshotJws(real)).toBe(v2);
  expect(lines.at(-1)).toBe("snapshot version 2 is saved, after 1 failed attempt");
  real.close();
});

test("the poll loop, a new version refused by the disk then 304s: a minute of polls logs the refusal once and tries the save at most 13 times", async () => {
  const { real, state, start, deps, lines, sign } = await refusingVersion1(dirs);
  const v2 = await sign(2);
  const { polls, pollEachSecond, close } = loopAgainst(deps, start, (poll) => (poll === 1 ? new Response(v2, { headers: { etag: '"2"', "content-type": "application/jose" } }) : new Response(null, { status: 304 })));
  try {
    state.refusing = true;
    await pollEachSecond(1, 60);
    expect(polls()).toBe(60);
    expect(deps.current.version()).toBe(2);
    expect(deps.current.controlPlaneReachable).toBe(true);
    expect(lines).toHaveLength(2);
    expect(state.refusedWrites).toBeLessThanOrEqual(MINUTE / CONFIRMED_SAVE_EVERY_MS + 1);
  } finally {
    await close();
    real.close();
  }
});
