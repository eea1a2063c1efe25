import { expect, test } from "bun:test";
import { clockSkewNote } from "./clock-skew-note.ts";

// The control plane wrote its Date header at 10:00:00.xxx; the proxy sent at `sent` and heard back 40 ms later.
const header = "Wed, 25 Nov 2026 10:00:00 GMT";
const at = Date.parse("2026-11-25T10:00:00.500Z");

test("a Date header more than 30 s off the proxy's clock is named, with which clock is ahead", () => {
  expect(clockSkewNote(header, at + 90_000, at + 90_040)).toContain("this proxy's clock is about 90 s ahead of the control plane's");
  expect(clockSkewNote(header, at - 45_000, at - 44_960)).toContain("this proxy's clock is about 45 s behind the control plane's");
});

test("clocks within 30 s, or no readable header, say nothing", () => {
  expect(clockSkewNote(header, at + 29_000, at + 29_040)).toBeNull();
  expect(clockSkewNote(header, at - 29_000, at - 28_960)).toBeNull();
  expect(clockSkewNote(null, at + 90_000, at + 90_040)).toBeNull();
  expect(clockSkewNote("yesterday-ish", at + 90_000, at + 90_040)).toBeNull();
});
