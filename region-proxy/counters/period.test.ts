import { describe, expect, test } from "bun:test";
import { periodKeys } from "./period.ts";

describe("periodKeys", () => {
  test("New York's day ends at its own midnight, not UTC's (EST, UTC-5)", () => {
    expect(periodKeys(new Date("2026-11-26T04:59:59.999Z"), "America/New_York")).toEqual({ day: "day:2026-11-25", month: "month:2026-11" });
    expect(periodKeys(new Date("2026-11-26T05:00:00.000Z"), "America/New_York")).toEqual({ day: "day:2026-11-26", month: "month:2026-11" });
  });

  test("month boundary and daylight saving time (EDT, UTC-4)", () => {
    expect(periodKeys(new Date("2026-07-01T03:59:59Z"), "America/New_York")).toEqual({ day: "day:2026-06-30", month: "month:2026-06" });
    expect(periodKeys(new Date("2026-07-01T04:00:00Z"), "America/New_York")).toEqual({ day: "day:2026-07-01", month: "month:2026-07" });
  });

  test("year boundary east of UTC and in UTC itself", () => {
    expect(periodKeys(new Date("2026-12-31T23:30:00Z"), "Europe/Berlin")).toEqual({ day: "day:2027-01-01", month: "month:2027-01" });
    expect(periodKeys(new Date("2026-12-31T23:30:00Z"), "UTC")).toEqual({ day: "day:2026-12-31", month: "month:2026-12" });
  });

  test("an unknown time zone is an error, not a silent UTC", () => {
    expect(() => periodKeys(new Date(), "Mars/Olympus")).toThrow(RangeError);
  });
});
