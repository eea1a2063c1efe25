/**
 * A schema no value meets is the schema's 400 on the echo vendor, not an answer invalid against it
 * (which chat.completions.parse() or a strict tool loop fails on against npm start).
 */
import { expect, test } from "bun:test";
import { minimalInstance, SchemaError } from "./schema-instance.ts";
import { useEchoVendor } from "./test-client.ts";

const echo = useEchoVendor();

test("bounds no number meets are a SchemaError (a number between minimum 5 and maximum 1 was their midpoint, 3)", () => {
  expect(() => minimalInstance({ type: "number", minimum: 5, maximum: 1 }, "hi")).toThrow(SchemaError);
  expect(() => minimalInstance({ type: "number", exclusiveMinimum: 5, exclusiveMaximum: 5 }, "hi")).toThrow(SchemaError);
  expect(() => minimalInstance({ type: "integer", minimum: 5, maximum: 1 }, "hi")).toThrow(SchemaError);
  expect(minimalInstance({ type: "number", exclusiveMinimum: 5, maximum: 6 }, "hi")).toBe(5.5);
  expect(minimalInstance({ type: "number", minimum: 5, maximum: 5 }, "hi")).toBe(5);
});

test("lengths and item counts no value meets are a SchemaError", () => {
  expect(() => minimalInstance({ type: "string", minLength: 5, maxLength: 2 }, "hi")).toThrow(SchemaError);
  expect(() => minimalInstance({ type: "array", minItems: 3, maxItems: 1 }, "hi")).toThrow(SchemaError);
  expect(minimalInstance({ type: "string", minLength: 2, maxLength: 2 }, "hello")).toBe("he");
});

test("allOf parts whose types share none are a SchemaError (the first part's type was kept)", async () => {
  expect(() => minimalInstance({ allOf: [{ type: "string" }, { type: "integer" }] }, "hi")).toThrow(SchemaError);
  expect(() => minimalInstance({ type: "object", properties: { a: { allOf: [{ type: ["string", "null"] }, { type: "boolean" }] } }, required: ["a"] }, "hi")).toThrow(SchemaError);
  expect(minimalInstance({ allOf: [{ type: ["string", "integer"] }, { type: "number" }] }, "hi")).toBe(0);
  const r = await echo.post("/v1/chat/completions", {
    model: "echo-1",
    messages: [{ role: "user", content: "hi" }],
    response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "number", minimum: 5, maximum: 1 } } },
  });
  expect([r.status, ((await r.json()) as { error: { param: string } }).error.param]).toEqual([400, "response_format"]);
});
