import { expect, test } from "bun:test";
import { boundedMemo } from "./bounded-memo.ts";

/** A compute that records each key it was asked for. */
function recording<V>(answer: (key: string) => V) {
  const asked: string[] = [];
  return { asked, compute: (key: string) => (asked.push(key), answer(key)) };
}

test("a key is computed on its first get and remembered after", () => {
  const memo = boundedMemo<number>(10);
  const { asked, compute } = recording((key) => key.length);
  expect(memo.get("abc", compute)).toBe(3);
  expect(memo.get("abc", compute)).toBe(3);
  expect(memo.get("abcde", compute)).toBe(5);
  expect(asked).toEqual(["abc", "abcde"]);
});

test("a remembered null or false is an answer, not computed again (encodingFor's null, isTimeZone's false)", () => {
  const nulls = boundedMemo<string | null>(10);
  const noEncoding = recording(() => null);
  for (let i = 0; i < 3; i++) expect(nulls.get("claude-sonnet-4", noEncoding.compute)).toBeNull();
  expect(noEncoding.asked).toEqual(["claude-sonnet-4"]);
  const falses = boundedMemo<boolean>(10);
  const unknownZone = recording(() => false);
  for (let i = 0; i < 3; i++) expect(falses.get("Mars/Olympus", unknownZone.compute)).toBe(false);
  expect(unknownZone.asked).toEqual(["Mars/Olympus"]);
});

test("at its bound it forgets every key before remembering the next", () => {
  const memo = boundedMemo<string>(3);
  const { asked, compute } = recording((key) => key.toUpperCase());
  for (const key of ["a", "b", "c"]) memo.get(key, compute);
  for (const key of ["a", "b", "c"]) memo.get(key, compute); // all three held
  expect(asked).toEqual(["a", "b", "c"]);
  memo.get("d", compute); // the fourth: the three are forgotten, "d" is kept
  memo.get("d", compute);
  memo.get("c", compute); // the newest of the three: forgotten too (a memo evicting only the oldest keeps it)
  expect(asked).toEqual(["a", "b", "c", "d", "c"]);
});

test("a compute that throws remembers nothing and forgets nothing", () => {
  const memo = boundedMemo<number>(1);
  const { asked, compute } = recording((key) => key.length);
  memo.get("held", compute);
  const refused = recording((): number => {
    throw new RangeError("unknown zone");
  });
  expect(() => memo.get("bad", refused.compute)).toThrow(RangeError);
  expect(() => memo.get("bad", refused.compute)).toThrow(RangeError);
  expect(refused.asked).toEqual(["bad", "bad"]); // asked again: the throw was not remembered
  expect(memo.get("held", compute)).toBe(4);
  expect(asked).toEqual(["held"]);
});
