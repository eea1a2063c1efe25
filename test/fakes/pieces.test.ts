import { expect, test } from "bun:test";
import { pieces } from "./fake-server.ts";

/** What pieces() answered before it was made linear; kept here to prove the output did not change. */
const quadratic = (text: string) => text.match(/\s*\S+/g) ?? (text === "" ? [] : [text]);

test("ordinary answers split exactly as before: blanks go with the word after them", () => {
  const texts = ["", "Echo: hello there", "  lead", "one\ttwo\nthree\r\nfour", "a\u00a0b\u2003c\u3000d", "emoji 🎉 ok", '{"echo":"x y"}', "x"];
  for (const text of texts) expect(pieces(text)).toEqual(quadratic(text));
  expect(pieces("Echo: hello there")).toEqual(["Echo:", " hello", " there"]);
});

test("pieces always join back to the text: trailing blanks stay on the last piece, blanks alone are one piece", () => {
  expect(pieces("Echo: hello ")).toEqual(["Echo:", " hello "]);
  expect(pieces(" \n ")).toEqual([" \n "]);
  for (const text of ["Echo: hello ", "a  \t", " ", "\u2003a\u2003"]) expect(pieces(text).join("")).toBe(text);
});

// The old regex backtracked over every blank of a run no word follows: 200,000 blanks took about a
// minute. The test's own timeout is the bound, generous for one linear pass.
test(
  "a run of 200,000 blanks is split in one pass",
  () => {
    const run = " ".repeat(200_000);
    expect(pieces(run)).toEqual([run]);
    expect(pieces(`word${run}`)).toEqual([`word${run}`]);
    expect(pieces(`${run}word${run}end`)).toEqual([`${run}word`, `${run}end`]);
    const many = "a ".repeat(100_000);
    expect(pieces(many).length).toBe(100_000);
    expect(pieces(many).join("")).toBe(many);
  },
  5_000,
);
