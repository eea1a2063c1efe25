/** What the loop keeps of a refused snapshot: its ETag for If-None-Match (until a recheck is due) and its hash. */
import { expect, test } from "bun:test";
import { RefusedSnapshot } from "./refused-snapshot.ts";

test("the refused ETag is listed beside the held version's until the recheck is due, then again once refused again", () => {
  const refused = new RefusedSnapshot(1_000);
  expect(refused.ifNoneMatch(0, 0)).toBeNull();
  expect(refused.ifNoneMatch(1, 0)).toBe('"1"');
  refused.remember('"2"', "jws-2", 0);
  expect(refused.ifNoneMatch(1, 999)).toBe('"1", "2"');
  expect(refused.ifNoneMatch(0, 999)).toBe('"2"');
  expect(refused.ifNoneMatch(1, 1_000)).toBe('"1"');
  expect(refused.matches("jws-2", 1_000)).toBe(true); // the same bytes, downloaded again: remembered afresh
  expect(refused.ifNoneMatch(1, 1_500)).toBe('"1", "2"');
  expect(refused.matches("jws-2 genuine")).toBe(false);
});

test("a 304 names the refused version only by its own ETag; clear forgets it", () => {
  const refused = new RefusedSnapshot();
  expect(refused.isLatest('"2"', 1)).toBe(false);
  refused.remember('"2"', null);
  expect(refused.isLatest('"2"', 1)).toBe(true);
  expect(refused.isLatest('"1"', 1)).toBe(false);
  expect(refused.isLatest(null, 1)).toBe(false);
  expect(refused.knows('"2"')).toBe(true);
  expect(refused.matches("anything")).toBe(false); // refused unread: no hash
  refused.clear();
  expect(refused.ifNoneMatch(1)).toBe('"1"');
  expect(refused.knows('"2"')).toBe(false);
});

test("ETags are compared weakly: W/\"2\" and \"2\" name the same refused version, and a weak tag of the held version is not listed twice", () => {
  const refused = new RefusedSnapshot();
  refused.remember('W/"2"', "jws-2");
  expect(refused.isLatest('"2"', 1)).toBe(true);
  expect(refused.isLatest('W/"2"', 1)).toBe(true);
  expect(refused.knows('"2"')).toBe(true);
  expect(refused.ifNoneMatch(1)).toBe('"1", W/"2"');
  refused.remember('W/"1"', "jws-1 other bytes");
  expect(refused.isLatest('"1"', 1)).toBe(false);
  expect(refused.ifNoneMatch(1)).toBe('"1"');
});
