import { expect, test } from "bun:test";
import { ledgerWindows, spendWindows } from "./spend-windows.ts";

const at = (hhmmss: string) => new Date(`2026-03-01T${hhmmss}Z`);
const w = (start: string, end: string) => ({ start: at(start), end: at(end) });

test("a window on the 15-minute grid is read from buckets alone", () => {
  expect(spendWindows(w("00:15:00", "05:45:00"))).toEqual({ buckets: w("00:15:00", "05:45:00"), raw: [] });
});

test("partial edge buckets are read from raw events", () => {
  expect(spendWindows(w("00:10:00", "00:50:00"))).toEqual({ buckets: w("00:15:00", "00:45:00"), raw: [w("00:10:00", "00:15:00"), w("00:45:00", "00:50:00")] });
  expect(spendWindows(w("00:00:00", "00:20:00"))).toEqual({ buckets: w("00:00:00", "00:15:00"), raw: [w("00:15:00", "00:20:00")] });
});

test("a window holding no whole bucket is read from raw events alone; an empty one reads nothing", () => {
  expect(spendWindows(w("00:10:00", "00:20:00"))).toEqual({ buckets: w("00:20:00", "00:20:00"), raw: [w("00:10:00", "00:20:00")] });
  expect(spendWindows(w("00:01:00", "00:02:00"))).toEqual({ buckets: w("00:02:00", "00:02:00"), raw: [w("00:01:00", "00:02:00")] });
  expect(spendWindows(w("00:10:00", "00:10:00"))).toEqual({ buckets: w("00:10:00", "00:10:00"), raw: [] });
});

test("before the buckets are complete (completeSince) the window is read from raw events, joined to the partial edge after it", () => {
  // Complete from the beginning: as spendWindows.
  expect(ledgerWindows(w("00:10:00", "00:50:00"), null)).toEqual(spendWindows(w("00:10:00", "00:50:00")));
  expect(ledgerWindows(w("00:10:00", "00:50:00"), at("00:10:00"))).toEqual(spendWindows(w("00:10:00", "00:50:00")));
  // Straddling it: raw up to the first whole bucket after it.
  expect(ledgerWindows(w("00:00:00", "02:00:00"), at("00:50:13"))).toEqual({ buckets: w("01:00:00", "02:00:00"), raw: [w("00:00:00", "01:00:00")] });
  expect(ledgerWindows(w("00:00:00", "02:10:00"), at("01:00:00"))).toEqual({ buckets: w("01:00:00", "02:00:00"), raw: [w("00:00:00", "01:00:00"), w("02:00:00", "02:10:00")] });
  expect(ledgerWindows(w("00:00:00", "01:10:00"), at("00:50:00"))).toEqual({ buckets: w("01:10:00", "01:10:00"), raw: [w("00:00:00", "01:10:00")] });
  // Wholly before it: raw alone.
  expect(ledgerWindows(w("00:00:00", "02:00:00"), at("02:00:00"))).toEqual({ buckets: w("02:00:00", "02:00:00"), raw: [w("00:00:00", "02:00:00")] });
  expect(ledgerWindows(w("00:00:00", "02:00:00"), at("05:00:00"))).toEqual({ buckets: w("02:00:00", "02:00:00"), raw: [w("00:00:00", "02:00:00")] });
});
