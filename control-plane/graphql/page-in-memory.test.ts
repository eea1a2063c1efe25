/**
 * pageInMemory pages in code-point order of its key whatever order the rows came in: a database
 * collation (C.UTF-8, ICU en-US) and JavaScript's UTF-16 `>` disagree on "Ａ" (U+FF21) against "😀"
 * (U+1F600) and on "Model-b" against "model-a", and a cursor compared one way over rows sorted the
 * other silently dropped rows from the next page.
 */
import { expect, test } from "bun:test";
import { compareCodePoints } from "./compare-code-points.ts";
import { pageInMemory } from "./page.ts";

function pageAll(rows: string[], first: number): string[] {
  const seen: string[] = [];
  let after: string | null = null;
  for (let i = 0; i <= rows.length; i++) {
    const page: { items: string[]; nextCursor: string | null } = pageInMemory("rows", rows, (r) => r, first, after);
    seen.push(...page.items);
    after = page.nextCursor;
    if (!after) break;
  }
  return seen;
}

test("code-point order: astral after U+E000–U+FFFF, upper case before lower case, prefixes first", () => {
  const sorted = ["\u{1F600}-model", "\uFF21-model", "model-a", "Model-b", "\uE000", "Model", "\u{10000}"].sort(compareCodePoints);
  expect(sorted).toEqual(["Model", "Model-b", "model-a", "\uE000", "\uFF21-model", "\u{10000}", "\u{1F600}-model"]);
  expect(compareCodePoints("a", "a")).toBe(0);
});

test("every row comes exactly once, page by page, whatever order the rows arrive in", () => {
  const names = ["\uFF21-model", "\u{1F600}-model", "Model-b", "model-a", "dep_zz", "dep_a0", "dep_A1", "\uE000x"];
  const expected = [...names].sort(compareCodePoints);
  for (const order of [names, [...names].reverse(), [...names].sort(), expected]) {
    for (const first of [1, 2, 3, 500]) expect(pageAll(order, first)).toEqual(expected);
  }
});
