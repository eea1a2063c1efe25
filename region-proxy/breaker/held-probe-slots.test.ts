/**
 * The probe slots a replica may hold in Redis, with the verdicts it owes: the latest per circuit is
 * told, naming the slot's attempt, a slot that lapsed is dropped untold, a failed telling stays owed, a
 * verdict of an attempt whose slot a later attempt took is dropped, and the count is bounded.
 */
import { expect, test } from "bun:test";
import { createHeldProbeSlots, type ProbeVerdict } from "./held-probe-slots.ts";

function recorder() {
  const told: [ProbeVerdict, string, number | undefined, string][] = [];
  return { told, tell: async (verdict: ProbeVerdict, depId: string, attemptId: string, atMs: number | undefined) => void told.push([verdict, depId, atMs, attemptId]) };
}

test("the latest verdict per slot is told once, naming its attempt; a slot with no verdict yet stays; a verdict for no slot makes one", async () => {
  const slots = createHeldProbeSlots(() => 60_000);
  slots.take("dep_a", "r:1");
  slots.take("dep_b", "r:2");
  expect(slots.owesAny()).toBe(false);
  slots.owe("dep_a", "r:1", "onFailure", 1);
  slots.owe("dep_a", "r:1", "onSuccess", 2);
  slots.owe("dep_c", "r:3", "releaseProbe", undefined);
  const { told, tell } = recorder();
  await slots.settle(tell);
  expect(told).toEqual([["onSuccess", "dep_a", 2, "r:1"], ["releaseProbe", "dep_c", undefined, "r:3"]]);
  expect([slots.attemptOf("dep_a"), slots.attemptOf("dep_b"), slots.attemptOf("dep_c")]).toEqual([undefined, "r:2", undefined]);
  await slots.settle(tell);
  expect(told).toHaveLength(2);
});

test("a verdict of an attempt whose slot a later attempt took is dropped", async () => {
  const slots = createHeldProbeSlots(() => 60_000);
  slots.take("dep_a", "r:1");
  slots.forget("dep_a"); // r:1's verdict on its way to Redis...
  slots.take("dep_a", "r:2"); // ...which then granted the probe to r:2
  slots.owe("dep_a", "r:1", "onFailure", undefined); // r:1's telling failed
  expect(slots.owesAny()).toBe(false);
  slots.owe("dep_a", "r:2", "onSuccess", undefined);
  const { told, tell } = recorder();
  await slots.settle(tell);
  expect(told).toEqual([["onSuccess", "dep_a", undefined, "r:2"]]);
});

test("a verdict that fails to be told stays owed; a verdict that came while it was being told is not lost", async () => {
  const slots = createHeldProbeSlots(() => 60_000);
  slots.owe("dep_fail", "t", "onSuccess", undefined);
  slots.owe("dep_newer", "t", "onFailure", undefined);
  await expect(
    slots.settle(async (verdict, depId) => {
      if (depId === "dep_fail") throw new Error("timeout");
      slots.owe(depId, "t", "onSuccess", undefined); // came while the failure was on its way
    }),
  ).rejects.toThrow("timeout");
  const { told, tell } = recorder();
  await slots.settle(tell);
  expect(told).toEqual([["onSuccess", "dep_fail", undefined, "t"], ["onSuccess", "dep_newer", undefined, "t"]]);
  expect(slots.size()).toBe(0);
});

test("a slot that lapsed (Redis freed it by itself) is dropped untold; at most maxSlots are kept, the oldest dropped", async () => {
  let now = 1_000;
  const slots = createHeldProbeSlots((depId) => (depId === "dep_short" ? 100 : 60_000), 3, () => now);
  slots.take("dep_short", "t");
  slots.owe("dep_short", "t", "onSuccess", undefined);
  slots.take("dep_long", "t");
  slots.owe("dep_long", "t", "onFailure", undefined);
  now += 100;
  const { told, tell } = recorder();
  await slots.settle(tell);
  expect(told).toEqual([["onFailure", "dep_long", undefined, "t"]]);
  expect(slots.size()).toBe(0);

  for (const dep of ["dep_1", "dep_2", "dep_3", "dep_4"]) slots.take(dep, "t");
  expect(slots.size()).toBe(3);
  expect(["dep_1", "dep_2", "dep_3", "dep_4"].map((d) => !!slots.attemptOf(d))).toEqual([false, true, true, true]);
  slots.take("dep_2", "t"); // taken again: the newest now
  slots.take("dep_5", "t");
  expect(["dep_2", "dep_3", "dep_4", "dep_5"].map((d) => !!slots.attemptOf(d))).toEqual([true, false, true, true]);
});
