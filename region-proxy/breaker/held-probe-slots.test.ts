/**
 * The probe slots a replica may hold in Redis, with the verdicts it owes: the latest per circuit is
 * told, a slot that lapsed is dropped untold, a failed telling stays owed, and the count is bounded.
 */
import { expect, test } from "bun:test";
import { createHeldProbeSlots, type ProbeVerdict } from "./held-probe-slots.ts";

function recorder() {
  const told: [ProbeVerdict, string, number | undefined][] = [];
  return { told, tell: async (verdict: ProbeVerdict, depId: string, atMs: number | undefined) => void told.push([verdict, depId, atMs]) };
}

test("the latest verdict per slot is told once; a slot with no verdict yet stays; a verdict for no slot makes one", async () => {
  const slots = createHeldProbeSlots(() => 60_000);
  slots.take("dep_a");
  slots.take("dep_b");
  expect(slots.owesAny()).toBe(false);
  slots.owe("dep_a", "onFailure", 1);
  slots.owe("dep_a", "onSuccess", 2);
  slots.owe("dep_c", "releaseProbe", undefined);
  const { told, tell } = recorder();
  await slots.settle(tell);
  expect(told).toEqual([["onSuccess", "dep_a", 2], ["releaseProbe", "dep_c", undefined]]);
  expect([slots.has("dep_a"), slots.has("dep_b"), slots.has("dep_c")]).toEqual([false, true, false]);
  await slots.settle(tell);
  expect(told).toHaveLength(2);
});

test("a verdict that fails to be told stays owed; a verdict that came while it was being told is not lost", async () => {
  const slots = createHeldProbeSlots(() => 60_000);
  slots.owe("dep_fail", "onSuccess", undefined);
  slots.owe("dep_newer", "onFailure", undefined);
  await expect(
    slots.settle(async (verdict, depId) => {
      if (depId === "dep_fail") throw new Error("timeout");
      slots.owe(depId, "onSuccess", undefined); // came while the failure was on its way
    }),
  ).rejects.toThrow("timeout");
  const { told, tell } = recorder();
  await slots.settle(tell);
  expect(told).toEqual([["onSuccess", "dep_fail", undefined], ["onSuccess", "dep_newer", undefined]]);
  expect(slots.size()).toBe(0);
});

test("a slot that lapsed (Redis freed it by itself) is dropped untold; at most maxSlots are kept, the oldest dropped", async () => {
  let now = 1_000;
  const slots = createHeldProbeSlots((depId) => (depId === "dep_short" ? 100 : 60_000), 3, () => now);
  slots.take("dep_short");
  slots.owe("dep_short", "onSuccess", undefined);
  slots.take("dep_long");
  slots.owe("dep_long", "onFailure", undefined);
  now += 100;
  const { told, tell } = recorder();
  await slots.settle(tell);
  expect(told).toEqual([["onFailure", "dep_long", undefined]]);
  expect(slots.size()).toBe(0);

  for (const dep of ["dep_1", "dep_2", "dep_3", "dep_4"]) slots.take(dep);
  expect(slots.size()).toBe(3);
  expect(["dep_1", "dep_2", "dep_3", "dep_4"].map((d) => slots.has(d))).toEqual([false, true, true, true]);
  slots.take("dep_2"); // taken again: the newest now
  slots.take("dep_5");
  expect(["dep_2", "dep_3", "dep_4", "dep_5"].map((d) => slots.has(d))).toEqual([true, false, true, true]);
});
