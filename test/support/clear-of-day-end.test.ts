/**
 * clearOfDayEnd waits only while a day (or month) ends within the span, and refuses a span it could
 * never be clear of. The clock is set with setSystemTime (frozen while set), so nothing here depends
 * on when it runs.
 */
import { afterEach, expect, test, setSystemTime } from "bun:test";
import { clearOfDayEnd } from "./clear-of-day-end.ts";

afterEach(() => setSystemTime());

/** "done" if the wait finished before any timer could fire, "waiting" if it is still sleeping. */
async function settledAtOnce(wait: Promise<void>): Promise<"done" | "waiting"> {
  return Promise.race([wait.then(() => "done" as const), Bun.sleep(0).then(() => "waiting" as const)]);
}

test("a span outside 0..1 hour (a day or more would never be clear, NaN, Infinity) is a RangeError", async () => {
  for (const span of [-1, 3_600_001, 86_400_000, 2 * 86_400_000, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    await expect(clearOfDayEnd(span)).rejects.toBeInstanceOf(RangeError);
  }
  await expect(clearOfDayEnd(86_400_000, "UTC", { unit: "month" })).rejects.toBeInstanceOf(RangeError);
});

test("at an ordinary time a small span (and the bounds 0 and 1 hour) returns at once", async () => {
  setSystemTime(new Date("2026-03-10T12:00:00Z"));
  for (const span of [0, 30_000, 3_600_000]) expect(await settledAtOnce(clearOfDayEnd(span))).toBe("done");
});

test("a day ending within the span is waited out, and the wait ends once the day has", async () => {
  setSystemTime(new Date("2026-03-10T23:59:50Z"));
  const wait = clearOfDayEnd(30_000);
  expect(await settledAtOnce(wait)).toBe("waiting");
  setSystemTime(new Date("2026-03-11T00:00:00.001Z"));
  await wait;
});

test("the day is read in the zone given", async () => {
  // 23:59:50 UTC is 00:59:50 in Berlin (CET): that day ends in 23 hours.
  setSystemTime(new Date("2026-03-10T23:59:50Z"));
  expect(await settledAtOnce(clearOfDayEnd(30_000, "Europe/Berlin"))).toBe("done");
});

test("unit month waits only at a month's end", async () => {
  setSystemTime(new Date("2026-03-10T23:59:50Z"));
  expect(await settledAtOnce(clearOfDayEnd(30_000, "UTC", { unit: "month" }))).toBe("done");
  setSystemTime(new Date("2026-03-31T23:59:50Z"));
  const wait = clearOfDayEnd(30_000, "UTC", { unit: "month" });
  expect(await settledAtOnce(wait)).toBe("waiting");
  setSystemTime(new Date("2026-04-01T00:00:00.001Z"));
  await wait;
});
