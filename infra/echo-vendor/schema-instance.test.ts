import { expect, test } from "bun:test";
import { minimalInstance } from "./schema-instance.ts";

test("scalars: the text, 0 (or the minimum), false, null, the first enum value, the const", () => {
  expect(minimalInstance({ type: "string" }, "hi")).toBe("hi");
  expect(minimalInstance({ type: "string", format: "date-time" }, "hi")).toBe("1970-01-01T00:00:00Z");
  expect(minimalInstance({ type: "string", minLength: 5, maxLength: 6 }, "hi")).toBe("hihih");
  expect(minimalInstance({ type: "integer" }, "hi")).toBe(0);
  expect(minimalInstance({ type: "integer", exclusiveMinimum: 2 }, "hi")).toBe(3);
  expect(minimalInstance({ type: "number", minimum: 1.5 }, "hi")).toBe(1.5);
  expect(minimalInstance({ type: "boolean" }, "hi")).toBe(false);
  expect(minimalInstance({ type: "null" }, "hi")).toBeNull();
  expect(minimalInstance({ type: "string", enum: ["b", "a"] }, "hi")).toBe("b");
  expect(minimalInstance({ const: 7 }, "hi")).toBe(7);
  expect(minimalInstance({ type: ["null", "integer"] }, "hi")).toBe(0);
});

test("objects: required properties, every property when all (strict); nested, arrays, anyOf, allOf, $ref", () => {
  const schema = { type: "object", properties: { a: { type: "string" }, b: { type: "integer" } }, required: ["a"] };
  expect(minimalInstance(schema, "hi")).toEqual({ a: "hi" });
  expect(minimalInstance(schema, "hi", { all: true })).toEqual({ a: "hi", b: 0 });
  expect(minimalInstance({ type: "array", items: { type: "integer" }, minItems: 2 }, "hi")).toEqual([0, 0]);
  expect(minimalInstance({ type: "array", items: { type: "integer" }, maxItems: 0 }, "hi")).toEqual([]);
  expect(minimalInstance({ anyOf: [{ type: "boolean" }, { type: "string" }] }, "hi")).toBe(false);
  expect(minimalInstance({ allOf: [{ properties: { a: { type: "string" } }, required: ["a"] }, { properties: { b: { type: "boolean" } }, required: ["b"] }] }, "hi")).toEqual({ a: "hi", b: false });
  expect(minimalInstance({ $ref: "#/definitions/x", definitions: { x: { type: "object", properties: { y: { type: "number" } }, required: ["y"] } } }, "hi")).toEqual({ y: 0 });
});

test("a recursive schema ends: its nullable branch, or an empty array, once deep enough", () => {
  const tree = { $defs: { node: { type: "object", properties: { kids: { type: "array", items: { $ref: "#/$defs/node" } }, next: { anyOf: [{ $ref: "#/$defs/node" }, { type: "null" }] } }, required: ["kids", "next"] } }, $ref: "#/$defs/node" };
  const out = JSON.stringify(minimalInstance(tree, "hi"));
  expect(out.length).toBeLessThan(100_000);
  expect(out).toContain("null");
});
