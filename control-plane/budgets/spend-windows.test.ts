import { expect, test } from "bun:test";
import { spendWindows } from "./spend-windows.ts";

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
