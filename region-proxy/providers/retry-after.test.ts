import { expect, test } from "bun:test";
import { boundedWaitMs, MAX_RETRY_AFTER_MS, retryAfterMs } from "./retry-after.ts";

const NOW = Date.parse("2026-11-26T12:00:00Z");
const read = (headers: Record<string, string>) => retryAfterMs(new Headers(headers), NOW);

test("seconds, milliseconds and HTTP dates are read; retry-after-ms wins", () => {
  expect(read({ "retry-after": "2" })).toBe(2000);
  expect(read({ "retry-after": "0.5" })).toBe(500);
  expect(read({ "retry-after-ms": "150", "retry-after": "9" })).toBe(150);
  expect(read({ "retry-after": "Thu, 26 Nov 2026 12:00:30 GMT" })).toBe(30_000);
  expect(read({ "retry-after": "Thu, 26 Nov 2026 11:00:00 GMT" })).toBe(0);
});

test("nothing usable is 'not given'", () => {
  for (const value of ["", " ", "-1", "soon", "NaN", "Infinity"]) expect(read({ "retry-after": value })).toBeNull();
  expect(read({ "retry-after-ms": "-5" })).toBeNull();
  expect(read({})).toBeNull();
});

test("only digits are seconds and only an HTTP-date is a date: hex, exponents and a header sent twice are not a wait", () => {
  // Number() would read 0x10 as 16 s and 1e3 as 1000 s; Date.parse would read "1, 2" as a date in 2001 (retry at once).
  for (const value of ["0x10", "1e3", "1, 2", "+5", "2 3", "12abc", "2026-11-26"]) expect(read({ "retry-after": value })).toBeNull();
  for (const value of ["0x10", "1e3", "5, 6"]) expect(read({ "retry-after-ms": value })).toBeNull();
  // An unusable retry-after-ms leaves retry-after to be read.
  expect(read({ "retry-after-ms": "1e3", "retry-after": "3" })).toBe(3000);
  expect(read({ "retry-after": " 7 " })).toBe(7000);
  // RFC 850 and asctime dates, which HTTP/1.1 recipients must still read.
  expect(read({ "retry-after": "Thursday, 26-Nov-26 12:00:10 GMT" })).toBe(10_000);
  expect(read({ "retry-after": "Thu Nov 26 12:00:20 2026" })).toBe(20_000);
});

test("an asctime date, which carries no zone, is GMT (RFC 9110 §5.6.7) whatever the proxy's own time zone", () => {
  const zone = process.env.TZ;
  try {
    for (const tz of ["America/New_York", "Asia/Kolkata", "UTC"]) {
      process.env.TZ = tz;
      expect({ tz, wait: read({ "retry-after": "Thu Nov 26 12:00:20 2026" }) }).toEqual({ tz, wait: 20_000 });
      expect({ tz, wait: read({ "retry-after": "Thu Nov  5 12:00:00 2026" }) }).toEqual({ tz, wait: 0 });
    }
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});

test("a value that starts like a date but is not one of HTTP's date forms, whole, is not a wait", () => {
  // Date.parse reads "Mon, 2030" as 2030 (a day's wait), trailing junk as another month, "Sun, 1 2" as 2001.
  for (const value of ["Mon, 2030", "Thu, 26 Nov 2026 12:00:10 GMT junk", "Sun, 1 2", "Thu, 26 Nov 2026 12:00:10", "Thu, 26 November 2026 12:00:10 GMT", "Thu 26 Nov 2026"]) {
    expect(read({ "retry-after": value })).toBeNull();
  }
  expect(read({ "retry-after": " Thu, 26 Nov 2026 12:00:10 GMT " })).toBe(10_000);
  expect(read({})).toBeNull();
});

test("a wait beyond a day is read as a day, so the client is never told Infinity or 10^17 seconds", () => {
  expect(MAX_RETRY_AFTER_MS).toBe(86_400_000);
  for (const headers of [{ "retry-after": "9".repeat(400) }, { "retry-after": "99999999999999" }, { "retry-after-ms": "100000000000000000000" }, { "retry-after": "Fri, 01 Jan 9999 00:00:00 GMT" }] as Record<string, string>[]) {
    expect(read(headers)).toBe(MAX_RETRY_AFTER_MS);
  }
  expect(read({ "retry-after": "86399" })).toBe(86_399_000);
});

test("boundedWaitMs, which every stated wait goes through: NaN and negatives are 'not given', beyond a day (Infinity included) is a day", () => {
  for (const ms of [Number.NaN, -1, Number.NEGATIVE_INFINITY]) expect(boundedWaitMs(ms)).toBeNull();
  expect(boundedWaitMs(Number.POSITIVE_INFINITY)).toBe(MAX_RETRY_AFTER_MS);
  expect(boundedWaitMs(1e17)).toBe(MAX_RETRY_AFTER_MS);
  expect(boundedWaitMs(1234.4)).toBe(1234);
  expect(boundedWaitMs(0)).toBe(0);
});

test("a date whose time or day is out of range is not a wait; a leap second :60 is the second after :59", () => {
  // Bun's Date.parse reads asctime second 60-99 as a year (12:00:60 2026 is 1960, :99 is 1999), an RFC 850
  // day 99 as 1999, and drops IMF-fixdate seconds of 60 or more: each was a wait of 0 (retry at once).
  for (const value of [
    "Thu Nov 26 12:00:61 2026",
    "Thu Nov 26 12:00:99 2026",
    "Thu, 26 Nov 2026 12:00:61 GMT",
    "Thursday, 26-Nov-26 12:00:75 GMT",
    "Thu, 26 Nov 2026 12:60:00 GMT",
    "Thu, 26 Nov 2026 24:00:00 GMT",
    "Thursday, 99-Nov-26 12:00:00 GMT",
    "Thu, 00 Nov 2026 12:00:10 GMT",
    "Thu Nov  0 12:00:10 2026",
  ]) {
    expect({ value, wait: read({ "retry-after": value }) }).toEqual({ value, wait: null });
  }
  // RFC 9110 §5.6.7: time-of-day 00:00:00 - 23:59:60 (leap second).
  expect(read({ "retry-after": "Thu, 26 Nov 2026 12:00:60 GMT" })).toBe(60_000);
  expect(read({ "retry-after": "Thu Nov 26 12:00:60 2026" })).toBe(60_000);
  expect(read({ "retry-after": "Thursday, 26-Nov-26 12:00:60 GMT" })).toBe(60_000);
  expect(read({ "retry-after": "Thu, 26 Nov 2026 12:00:59 GMT" })).toBe(59_000);
  expect(read({ "retry-after": "Thu, 26 Nov 2026 23:59:59 GMT" })).toBe(43_199_000);
});

test("a day the month does not have is not a wait: Date.parse rolls it into the next month", () => {
  // Bun's Date.parse reads 31 Nov as 1 Dec and 30 Feb as 2 (or 1) Mar: a wait the vendor never stated.
  for (const value of [
    "Mon, 31 Nov 2026 12:00:00 GMT",
    "Mon, 30 Feb 2026 12:00:00 GMT",
    "Sun, 29 Feb 2026 12:00:00 GMT",
    "Thursday, 31-Apr-26 12:00:00 GMT",
    "Mon Nov 31 12:00:00 2026",
    "Mon Nov 31 23:59:60 2026",
    // A year below 1000, which Date.parse reads as 19xx/20xx (0026 as 2026: a 12-hour wait).
    "Sat, 28 Nov 0026 12:00:00 GMT",
    "Fri, 01 Jan 0027 00:00:00 GMT",
    "Sat Nov 28 12:00:00 0026",
  ]) {
    expect({ value, wait: read({ "retry-after": value }) }).toEqual({ value, wait: null });
  }
  // Days the month has, a leap year's 29 Feb and a leap second at a month's end included, still read.
  expect(read({ "retry-after": "Mon, 30 Nov 2026 12:00:00 GMT" })).toBe(MAX_RETRY_AFTER_MS);
  expect(read({ "retry-after": "Fri, 27 Nov 2026 11:00:00 GMT" })).toBe(23 * 3_600_000);
  expect(retryAfterMs(new Headers({ "retry-after": "Tue, 29 Feb 2028 12:00:30 GMT" }), Date.parse("2028-02-29T12:00:00Z"))).toBe(30_000);
  expect(retryAfterMs(new Headers({ "retry-after": "Tue Nov 30 23:59:60 2027" }), Date.parse("2027-11-30T23:59:00Z"))).toBe(60_000);
  expect(retryAfterMs(new Headers({ "retry-after": "Sunday, 06-Nov-94 08:49:37 GMT" }), Date.parse("1994-11-06T08:49:00Z"))).toBe(37_000);
  expect(retryAfterMs(new Headers({ "retry-after": "Sun Nov  6 08:49:37 1994" }), Date.parse("1994-11-06T08:49:00Z"))).toBe(37_000);
});
