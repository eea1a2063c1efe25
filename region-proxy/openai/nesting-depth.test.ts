import { expect, test } from "bun:test";
import { MAX_JSON_DEPTH, tooDeepField } from "./nesting-depth.ts";

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
  return value;
};

test("names the top-level field that nests too deep, counting the body as level 1", () => {
  expect(tooDeepField({ model: "m", x: nested(2) }, 3)).toBeNull();
  expect(tooDeepField({ model: "m", x: nested(3) }, 3)).toBe("x");
  expect(tooDeepField({ messages: [{ role: "user", content: "hi" }], tools: [nested(MAX_JSON_DEPTH)] })).toBe("tools");
  expect(tooDeepField("text")).toBeNull();
});

test("a 100,000-deep array is walked without overflowing the stack", () => {
  const body = JSON.parse(`{"model":"m","x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
  expect(tooDeepField(body)).toBe("x");
});
