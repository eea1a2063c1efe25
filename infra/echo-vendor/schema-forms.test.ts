/**
 * Minimal instances valid for the common schema forms beyond the basics (schema-instance.test.ts):
 * an answer invalid against its own schema is what chat.completions.parse() or a strict tool loop
 * fails on against `npm start` and not against OpenAI.
 */
import { expect, test } from "bun:test";
import { minimalInstance, SchemaError } from "./schema-instance.ts";
import { useEchoVendor } from "./test-client.ts";

const echo = useEchoVendor();

test("a required key typed only by additionalProperties or patternProperties gets that type", () => {
  expect(minimalInstance({ type: "object", additionalProperties: { type: "integer" }, required: ["a"] }, "hi")).toEqual({ a: 0 });
  expect(minimalInstance({ type: "object", patternProperties: { "^n": { type: "integer" } }, additionalProperties: { type: "boolean" }, required: ["n1", "b"] }, "hi")).toEqual({ n1: 0, b: false });
});

test("allOf parts are merged as schemas first: required in one part, the property's type in another", () => {
  expect(minimalInstance({ allOf: [{ type: "object", properties: { a: { type: "integer" } } }, { required: ["a"] }] }, "hi")).toEqual({ a: 0 });
  expect(minimalInstance({ allOf: [{ type: "integer" }, { minimum: 3 }] }, "hi")).toBe(3);
  const defs = { $defs: { base: { type: "object", properties: { id: { type: "integer" } }, required: ["id"] } } };
  expect(minimalInstance({ ...defs, allOf: [{ $ref: "#/$defs/base" }, { properties: { name: { type: "string" } }, required: ["name"] }] }, "hi")).toEqual({ id: 0, name: "hi" });
});

test("minProperties: optional properties first, then keys additionalProperties allows", () => {
  expect(minimalInstance({ type: "object", properties: { a: { type: "string" }, b: { type: "integer" } }, minProperties: 1 }, "hi")).toEqual({ a: "hi" });
  const open = minimalInstance({ type: "object", additionalProperties: { type: "string" }, minProperties: 2 }, "hi") as Record<string, unknown>;
  expect(Object.keys(open)).toHaveLength(2);
  expect(Object.values(open).every((v) => v === "hi")).toBe(true);
  expect(minimalInstance({ type: "object", patternProperties: { "^n": { type: "integer" } }, additionalProperties: false, minProperties: 2 }, "hi")).toEqual({ n: 0, na: 0 });
  expect(() => minimalInstance({ type: "object", properties: {}, additionalProperties: false, minProperties: 1 }, "hi")).toThrow(SchemaError);
});

test("numbers: draft-4 boolean exclusiveMinimum/Maximum, multipleOf", () => {
  expect(minimalInstance({ type: "integer", minimum: 0, exclusiveMinimum: true }, "hi")).toBe(1);
  expect(minimalInstance({ type: "integer", maximum: -2, exclusiveMaximum: true }, "hi")).toBe(-3);
  expect(minimalInstance({ type: "number", minimum: 0, exclusiveMinimum: true, maximum: 1 }, "hi")).toBeGreaterThan(0);
  expect(minimalInstance({ type: "integer", minimum: 1, multipleOf: 5 }, "hi")).toBe(5);
  expect(minimalInstance({ type: "number", exclusiveMinimum: 10, multipleOf: 2.5 }, "hi")).toBe(12.5);
  expect(minimalInstance({ type: "integer", multipleOf: 7 }, "hi")).toBe(0);
});

test("draft-4 tuples: items as an array gives one value per position, additionalItems after", () => {
  expect(minimalInstance({ type: "array", items: [{ type: "string" }, { type: "integer" }] }, "hi")).toEqual(["hi", 0]);
  expect(minimalInstance({ type: "array", items: [{ type: "string" }], additionalItems: { type: "boolean" }, minItems: 2 }, "hi")).toEqual(["hi", false]);
});

test("pattern: the text when it matches, else a simple candidate that does, else a SchemaError naming the pattern", () => {
  expect(minimalInstance({ type: "string", pattern: "^h" }, "hi")).toBe("hi");
  expect(minimalInstance({ type: "string", pattern: "^[0-9]+$" }, "hi")).toMatch(/^[0-9]+$/);
  expect(minimalInstance({ type: "string", pattern: "^[A-Z]{3}$" }, "hi")).toMatch(/^[A-Z]{3}$/);
  expect(minimalInstance({ type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" }, "hi")).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(() => minimalInstance({ type: "string", pattern: "^q[xyz]{2}\\d!$" }, "hi")).toThrow("pattern '^q[xyz]{2}\\d!$'");
});

test("over HTTP a pattern it cannot meet is the response_format 400, not an invalid instance", async () => {
  const schema = { type: "object", properties: { code: { type: "string", pattern: "^q[xyz]{2}\\d!$" } }, required: ["code"] };
  const res = await echo.post("/v1/chat/completions", { model: "echo-1", messages: [{ role: "user", content: "hi" }], response_format: { type: "json_schema", json_schema: { name: "coded", schema } } });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: unknown }).error).toMatchObject({ param: "response_format", code: "invalid_json_schema" });
});

test("minProperties near the 10,000 cap is built in one pass (each extra key was found by rescanning key1… against every key so far: cubic, minutes for 9,000)", () => {
  const open = minimalInstance({ type: "object", properties: { a: { type: "integer" }, key2: { type: "integer" } }, minProperties: 9_000 }, "hi") as Record<string, unknown>;
  expect(Object.keys(open)).toHaveLength(9_000);
  expect([open.a, open.key2, open.key1, open.key3, open.key8999]).toEqual([0, 0, "hi", "hi", "hi"]);
  expect(open.key9000).toBeUndefined();
  const patterned = minimalInstance({ type: "object", patternProperties: { "^n": { type: "integer" } }, additionalProperties: false, minProperties: 3 }, "hi");
  expect(patterned).toEqual({ n: 0, na: 0, naa: 0 });
});

test("a required key named like an Object.prototype member is typed by patternProperties or additionalProperties, not by the prototype", () => {
  const typedByAdditional = { type: "object", properties: { a: { type: "string" } }, required: ["toString"], additionalProperties: { type: "integer" } };
  expect(minimalInstance(typedByAdditional, "hi")).toEqual({ toString: 0 });
  const typedByPattern = { type: "object", required: ["constructor"], properties: {}, patternProperties: { "^c": { type: "boolean" } } };
  expect(minimalInstance(typedByPattern, "hi")).toEqual({ constructor: false });
});
