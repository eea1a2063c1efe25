import { describe, expect, test } from "bun:test";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { MAX_SCHEMA_DEPTH, toGeminiSchema } from "./schema.ts";

const PARAM = "response_format.json_schema.schema";
const convert = (schema: unknown) => toGeminiSchema(schema, PARAM, "responseSchema");

function refusal(schema: unknown): UnsupportedParameterError {
  let caught: unknown;
  try {
    convert(schema);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(UnsupportedParameterError);
  expect((caught as UnsupportedParameterError).param).toBe(PARAM);
  return caught as UnsupportedParameterError;
}

/** `{"type":"object","properties":{"a": ...}}` nested `levels` deep. */
function nested(levels: number): unknown {
  let schema: unknown = { type: "string" };
  for (let i = 0; i < levels; i++) schema = { type: "object", properties: { a: schema } };
  return schema;
}

const step = { type: "object", properties: { explanation: { type: "string" }, output: { type: "string" } }, required: ["explanation", "output"], additionalProperties: false };
const stepOut = { type: "object", properties: { explanation: { type: "string" }, output: { type: "string" } }, required: ["explanation", "output"] };

describe("JSON schema → Gemini schema", () => {
  test("local $refs to $defs and definitions are inlined (nested Pydantic models)", () => {
    const schema = { $defs: { Step: step }, type: "object", properties: { steps: { type: "array", items: { $ref: "#/$defs/Step" } }, last: { $ref: "#/$defs/Step", description: "the last one" } }, required: ["steps"] };
    expect(convert(schema)).toEqual({ type: "object", properties: { steps: { type: "array", items: stepOut }, last: { ...stepOut, description: "the last one" } }, required: ["steps"] });
    expect(convert({ definitions: { "a/b": { type: "integer" } }, type: "object", properties: { n: { $ref: "#/definitions/a~1b" } } })).toEqual({ type: "object", properties: { n: { type: "integer" } } });
    expect(convert({ $defs: { S: step }, type: "object", properties: { s: { allOf: [{ $ref: "#/$defs/S" }], description: "d" } } })).toEqual({ type: "object", properties: { s: { ...stepOut, description: "d" } } });
  });

  test("type lists become anyOf, null becomes nullable, and type-specific keywords go to their branch", () => {
    expect(convert({ type: ["string", "null"] })).toEqual({ type: "string", nullable: true });
    expect(convert({ type: ["string", "integer"], description: "id" })).toEqual({ anyOf: [{ type: "string" }, { type: "integer" }], description: "id" });
    expect(convert({ type: ["string", "integer", "null"], minLength: 2, minimum: 1 })).toEqual({ anyOf: [{ type: "string", minLength: 2 }, { type: "integer", minimum: 1 }], nullable: true });
    expect(convert({ anyOf: [{ $ref: "#/$defs/S" }, { type: "null" }], description: "optional step", $defs: { S: step } })).toEqual({ ...stepOut, nullable: true, description: "optional step" });
    expect(convert({ anyOf: [{ type: "string" }, { type: "integer" }, { type: "null" }] })).toEqual({ anyOf: [{ type: "string" }, { type: "integer" }], nullable: true });
    expect(convert({ const: "fixed" })).toEqual({ type: "string", enum: ["fixed"] });
  });

  test("Schema.enum is string-only: null in an enum becomes nullable, other non-string values are refused", () => {
    expect(convert({ type: ["string", "null"], enum: ["c", "f", null] })).toEqual({ type: "string", enum: ["c", "f"], nullable: true });
    expect(convert({ type: "string", enum: [null, "c"] })).toEqual({ type: "string", enum: ["c"], nullable: true });
    expect(convert({ type: "object", properties: { unit: { type: "string", enum: ["c", "f"] } } })).toEqual({ type: "object", properties: { unit: { type: "string", enum: ["c", "f"] } } });
    expect(refusal({ type: "object", properties: { level: { type: "integer", enum: [1, 2, 3] } } }).message).toBe(
      "This JSON schema cannot be translated for this provider at #/properties/level/enum: only string enum values can be expressed, not 1.",
    );
    expect(refusal({ enum: [true, false] }).message).toContain("#/enum");
    refusal({ type: "number", enum: [1.5] });
    refusal({ enum: ["a", { b: 1 }] });
    refusal({ enum: [null] });
    refusal({ enum: "a" });
  });

  test("what cannot be converted is refused, naming where", () => {
    expect(refusal({ $defs: { Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } } } }, $ref: "#/$defs/Node" }).message).toContain("recursive");
    expect(refusal({ type: "object", properties: { self: { $ref: "#" } } }).message).toContain("#/properties/self");
    refusal({ type: "object", properties: { a: { $ref: "https://example.com/schema.json" } } });
    refusal({ type: "object", properties: { a: { $ref: "#/$defs/Missing" } } });
    refusal({ type: ["null"] });
    refusal({ oneOf: [{ type: "string" }, { type: "integer" }] });
    refusal({ allOf: [{ type: "string" }, { minLength: 2 }] });
    refusal({ type: "array", items: { type: "string" }, uniqueItems: true });
    refusal({ type: "integer", multipleOf: 5 });
    refusal({ const: 3 });
    refusal({ type: "array", items: [{ type: "string" }] });
  });

  test(`nesting is bounded at ${MAX_SCHEMA_DEPTH} levels, refused (not a stack overflow) beyond`, () => {
    expect(() => convert(nested(MAX_SCHEMA_DEPTH - 1))).not.toThrow();
    expect(refusal(nested(MAX_SCHEMA_DEPTH + 1)).message).toContain(String(MAX_SCHEMA_DEPTH));
    refusal(nested(20_000));
    // A chain of distinct definitions is as deep as it is long.
    const defs: Record<string, unknown> = {};
    for (let i = 0; i < 5_000; i++) defs[`D${i}`] = { type: "object", properties: { next: i === 4_999 ? { type: "string" } : { $ref: `#/$defs/D${i + 1}` } } };
    refusal({ $defs: defs, $ref: "#/$defs/D0" });
  });

  test("inlining that would multiply the schema beyond reason is refused", () => {
    const defs: Record<string, unknown> = { L0: { type: "string" } };
    for (let i = 1; i <= 30; i++) defs[`L${i}`] = { type: "object", properties: { a: { $ref: `#/$defs/L${i - 1}` }, b: { $ref: `#/$defs/L${i - 1}` } } };
    expect(refusal({ $defs: defs, $ref: "#/$defs/L30" }).message).toContain("too large");
  });
});
