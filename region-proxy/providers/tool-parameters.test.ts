import { describe, expect, test } from "bun:test";
import { toolParameters } from "./tool-parameters.ts";

describe("toolParameters", () => {
  test("no schema, or a typeless one that describes nothing, declares no parameters", () => {
    expect(toolParameters(undefined)).toBeUndefined();
    expect(toolParameters(null)).toBeUndefined();
    expect(toolParameters({})).toBeUndefined();
    expect(toolParameters({ $schema: "http://json-schema.org/draft-07/schema#", additionalProperties: false, required: [] })).toBeUndefined();
  });

  test("a typeless schema with properties (MCP style) is an object schema", () => {
    expect(toolParameters({ properties: { q: { type: "string" } }, required: ["q"] })).toEqual({ type: "object", properties: { q: { type: "string" } }, required: ["q"] });
    expect(toolParameters({ properties: {} })).toEqual({ type: "object", properties: {} });
  });

  test("a schema with a type, or one built from references or alternatives, is left for the vendor to judge", () => {
    const typed = { type: "object", properties: { q: { type: "string" } } };
    expect(toolParameters(typed)).toBe(typed);
    expect(toolParameters({ type: "object" })).toEqual({ type: "object" });
    const ref = { $ref: "#/$defs/Q", $defs: { Q: { type: "object", properties: { q: { type: "string" } } } } };
    expect(toolParameters(ref)).toBe(ref);
    expect(toolParameters({ anyOf: [{ type: "object" }] })).toEqual({ anyOf: [{ type: "object" }] });
    expect(toolParameters("nonsense")).toBe("nonsense");
  });
});
