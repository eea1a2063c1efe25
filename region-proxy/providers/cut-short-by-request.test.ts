/**
 * cutShortByRequest: a timed-out call says nothing of its deployment only when the request's deadline
 * gave it materially less than its total (by more than a useful call: retry-fits.ts usefulCallMs).
 */
import { expect, test } from "bun:test";
import { cutShortByRequest } from "./cut-short-by-request.ts";

test("a non-streamed call denied a few ms of its total had its time; one denied more than a quarter was cut short", () => {
  const call = { totalMs: 400, firstByteMs: null };
  expect([cutShortByRequest(400, call), cutShortByRequest(390, call), cutShortByRequest(300, call), cutShortByRequest(299, call)]).toEqual([false, false, false, true]);
});

test("a stream's margin is its first-byte budget", () => {
  const call = { totalMs: 60_000, firstByteMs: 10_000 };
  expect([cutShortByRequest(55_000, call), cutShortByRequest(50_000, call), cutShortByRequest(49_999, call)]).toEqual([false, false, true]);
});
