import { describe, expect, test } from "bun:test";
import { periodKeys } from "./period.ts";

describe("periodKeys", () => {
  test("New York's day ends at its own midnight, not UTC's (EST, UTC-5)", () => {
    expect(periodKeys(new Date("2026-11-26T04:59:59.999Z"), "America/New_York")).toEqual({ day: "day:2026-11-25@America/New_York", month: "month:2026-11@America/New_York" });
    expect(periodKeys(new Date("2026-11-26T05:00:00.000Z"), "America/New_York")).toEqual({ day: "day:2026-11-26@America/New_York", month: "month:2026-11@America/New_York" });
  });

  test("month boundary and daylight saving time (EDT, UTC-4)", () => {
    expect(periodKeys(new Date("2026-07-01T03:59:59Z"), "America/New_York")).toEqual({ day: "day:2026-06-30@America/New_York", month: "month:2026-06@America/New_York" });
    expect(periodKeys(new Date("2026-07-01T04:00:00Z"), "America/New_York")).toEqual({ day: "day:2026-07-01@America/New_York", month: "month:2026-07@America/New_York" });
  });

  test("year boundary east of UTC and in UTC itself", () => {
    expect(periodKeys(new Date("2026-12-31T23:30:00Z"), "Europe/Berlin")).toEqual({ day: "day:2027-01-01@Europe/Berlin", month: "month:2027-01@Europe/Berlin" });
    expect(periodKeys(new Date("2026-12-31T23:30:00Z"), "UTC")).toEqual({ day: "day:2026-12-31@UTC", month: "month:2026-12@UTC" });
  });

  test("an unknown time zone is an error, not a silent UTC", () => {
    expect(() => periodKeys(new Date(), "Mars/Olympus")).toThrow(RangeError);
  });

  test("the answer kept for a second is that second's, in each zone; the next second is computed again", () => {
    // The same second, asked for in two zones and then again: each zone has its own answer.
    const second = new Date("2026-11-26T04:59:59.000Z");
    expect(periodKeys(second, "America/New_York").day).toBe("day:2026-11-25@America/New_York");
    expect(periodKeys(second, "Asia/Kathmandu").day).toBe("day:2026-11-26@Asia/Kathmandu");
    expect(periodKeys(new Date("2026-11-26T04:59:59.999Z"), "America/New_York").day).toBe("day:2026-11-25@America/New_York");
    // Kathmandu is UTC+5:45: its midnight falls on a quarter hour, one millisecond apart.
    expect(periodKeys(new Date("2026-11-26T18:14:59.999Z"), "Asia/Kathmandu").day).toBe("day:2026-11-26@Asia/Kathmandu");
    expect(periodKeys(new Date("2026-11-26T18:15:00.000Z"), "Asia/Kathmandu").day).toBe("day:2026-11-27@Asia/Kathmandu");
    // Going back in time is not served from what was kept.
    expect(periodKeys(new Date("2026-11-26T18:14:59.000Z"), "Asia/Kathmandu").day).toBe("day:2026-11-26@Asia/Kathmandu");
  });

  test("a kept answer cannot be changed by the caller who got it", () => {
    const keys = periodKeys(new Date("2026-11-26T12:00:00Z"), "UTC");
    expect(() => ((keys as { day: string }).day = "day:1999-01-01")).toThrow(TypeError);
    expect(periodKeys(new Date("2026-11-26T12:00:00Z"), "UTC").day).toBe("day:2026-11-26@UTC");
  });

  test("an unknown zone stays an error on every call", () => {
    expect(() => periodKeys(new Date(), "Mars/Olympus")).toThrow(RangeError);
    expect(() => periodKeys(new Date(), "Mars/Olympus")).toThrow(RangeError);
  });
});
