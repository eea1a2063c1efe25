import { expect, test } from "bun:test";
import { localDateText } from "./local-date.ts";
import { localDayStart } from "./local-day-start.ts";

const before = (d: Date) => new Date(d.getTime() - 1);

test("a local midnight that happens twice: the day begins at the first", () => {
  // Clocks go back from 01:00 to 00:00, so 00:00-01:00 is lived twice; Intl says the new date already at the first.
  expect(localDayStart("2026-10-25", "Atlantic/Azores").toISOString()).toBe("2026-10-25T00:00:00.000Z");
  expect(localDayStart("2026-11-01", "America/Havana").toISOString()).toBe("2026-11-01T04:00:00.000Z");
  expect(localDateText(before(localDayStart("2026-11-01", "America/Havana")), "America/Havana")).toBe("2026-10-31");
});

test("ordinary zones, half and quarter hours, a skipped midnight, a skipped date", () => {
  expect(localDayStart("2026-11-26", "America/New_York").toISOString()).toBe("2026-11-26T05:00:00.000Z");
  expect(localDayStart("2026-11-26", "Asia/Kathmandu").toISOString()).toBe("2026-11-25T18:15:00.000Z");
  expect(localDayStart("2026-02-28", "UTC").toISOString()).toBe("2026-02-28T00:00:00.000Z");
  // Havana springs forward at midnight (00:00 -> 01:00): the day begins at the jump, local 01:00.
  const spring = localDayStart("2026-03-08", "America/Havana");
  expect([localDateText(spring, "America/Havana"), localDateText(before(spring), "America/Havana")]).toEqual(["2026-03-08", "2026-03-07"]);
  // Samoa skipped 2011-12-30: an empty period, beginning where 2011-12-31 does.
  expect(localDayStart("2011-12-30", "Pacific/Apia").getTime()).toBe(localDayStart("2011-12-31", "Pacific/Apia").getTime());
});

test("every day of 2026 in zones with odd transitions begins where Intl's date turns over", () => {
  for (const zone of ["Atlantic/Azores", "America/Havana", "America/Santiago", "Australia/Lord_Howe", "Asia/Gaza", "America/Asuncion", "Europe/Berlin"]) {
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      const start = localDayStart(day, zone);
      expect([zone, day, localDateText(start, zone) >= day, localDateText(before(start), zone) < day]).toEqual([zone, day, true, true]);
    }
  }
});

test("an unknown zone or a malformed date is an error", () => {
  expect(() => localDayStart("2026-01-01", "Mars/Olympus")).toThrow(RangeError);
  expect(() => localDayStart("2026-1-1", "UTC")).toThrow(RangeError);
});
