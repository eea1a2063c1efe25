/**
 * A KV that refuses writes (disk full, read-only mount) while the control plane keeps confirming the
 * held snapshot: the confirmation time (saved for restarts, stored-snapshot-age.test.ts) cannot be
 * written. That is a lasting state, like the poll loop's others: logged once when writes start failing
 * and once when they work again, and retried at the save rhythm (CONFIRMED_SAVE_EVERY_MS), not at every
 * poll (one a second by default: ~86,000 lines and write attempts a day). Polling goes on meanwhile.
 *
 * Time passing is Date's clock moved forward (setSystemTime), not waited for.
 */
import { afterAll, afterEach, expect, setSystemTime, test } from "bun:test";
import { applySnapshot, CONFIRMED_SAVE_EVERY_MS, loadStoredSnapshot } from "./apply-snapshot.ts";
import { CurrentSnapshot } from "./current.ts";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { loopAgainst, poll304, refusingVersion1 } from "./refusing-kv-fixture.ts";

const MINUTE = 60_000;
const dirs = tempDirs();
afterEach(() => setSystemTime());
afterAll(dirs.removeAll);

test("a refused confirmation write is logged once, retried at the save rhythm, and its recovery logged once with the failed attempts", async () => {
  const { real, state, start, deps, lines } = await refusingVersion1(dirs);

  // Ten minutes of 304s, one a second, as the loop does (confirm, then saveHeldSnapshot), with the disk full.
  state.refusing = true;
  let at = start;
  for (at = start + 1000; at <= start + 10 * MINUTE; at += 1000) {
    await poll304(deps, at);
    // Still confirmed: the age served is the control plane's, whatever the disk does.
    expect(deps.current.ageSeconds()).toBe(0);
  }
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain("snapshot version 1: its confirmation by the control plane could not be saved (database or disk is full)");
  expect(lines[0]).toContain(`a restart would report its age from ${new Date(start).toISOString()}`);
  expect(lines[0]).toContain("logged again when this changes");
  // Tried at most once per CONFIRMED_SAVE_EVERY_MS, not at each of the 600 polls.
  expect(state.refusedWrites).toBeGreaterThan(1);
  expect(state.refusedWrites).toBeLessThanOrEqual((10 * MINUTE) / CONFIRMED_SAVE_EVERY_MS);
  const failedAttempts = state.refusedWrites;

  // Space is freed: the next attempt (within the rhythm) saves, and that is logged once, with the count.
  state.refusing = false;
  for (let i = 0; i < 30; i++) await poll304(deps, (at += 1000));
  expect(lines).toHaveLength(2);
  expect(lines[1]).toBe(`snapshot version 1: its confirmation by the control plane is saved again, after ${failedAttempts} failed attempts`);

  // A restart reads the recent confirmation back.
  const restarted = new CurrentSnapshot();
  expect(await loadStoredSnapshot({ ...deps, current: restarted })).toBe("swapped");
  expect(restarted.ageSeconds()).toBeLessThanOrEqual(CONFIRMED_SAVE_EVERY_MS / 1000);
  real.close();
});

test("a refused run ends when a new version is saved, its confirmation time with it", async () => {
  const { real, state, start, deps, lines, sign } = await refusingVersion1(dirs);
  state.refusing = true;
  for (let i = 1; i <= 30; i++) await poll304(deps, start + i * 1000);
  expect(lines).toHaveLength(1);
  const failedAttempts = state.refusedWrites;
  state.refusing = false;
  setSystemTime(new Date(start + 31_000));
  expect(await applySnapshot(await sign(2), deps, { persist: true })).toBe("swapped");
  expect(lines.slice(1)).toEqual(["snapshot version 2 loaded (was 1)", `snapshot version 2: its confirmation by the control plane is saved again, after ${failedAttempts} failed attempts`]);
  expect(deps.current.saveRefused).toBeNull();
  real.close();
});

test("a clock set back during a refused run does not hold the next attempt off until it catches up", async () => {
  const { real, state, start, deps, lines } = await refusingVersion1(dirs);
  state.refusing = true;
  await poll304(deps, start + 10 * MINUTE);
  expect(state.refusedWrites).toBe(1);
  state.refusing = false;
  // NTP steps the clock back an hour; the next attempts go on at the rhythm and the first succeeds.
  await poll304(deps, start + 10 * MINUTE - 60 * MINUTE);
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain("is saved again, after 1 failed attempt");
  real.close();
});

test("the poll loop keeps confirming the held snapshot while its confirmation cannot be saved", async () => {
  const { real, state, start, deps, lines } = await refusingVersion1(dirs);
  const { polls, pollEachSecond, close } = loopAgainst(deps, start, () => new Response(null, { status: 304 }));
  try {
    state.refusing = true;
    await pollEachSecond(1, 60);
    expect(polls()).toBe(60);
    expect(deps.current.controlPlaneReachable).toBe(true);
    expect(deps.current.ageSeconds()).toBe(0);
    expect(lines).toHaveLength(1);
    expect(state.refusedWrites).toBeLessThanOrEqual(MINUTE / CONFIRMED_SAVE_EVERY_MS);
  } finally {
    await close();
    real.close();
  }
});
