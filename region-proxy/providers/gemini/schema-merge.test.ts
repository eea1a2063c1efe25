/**
 * A `$ref` or one-schema `allOf` next to the schema's own `properties` / `required` (a derived model
 * adding fields to a base one), through a real proxy to the fake Gemini via the official SDK: the
 * referenced properties and the schema's own are both sent, and both `required` lists; a property both
 * define differently is a 400 naming where, before any call.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { toGeminiSchema } from "./schema.ts";
import { mergeSchemas } from "./schema-merge.ts";

let vendor: VendorBehindProxy;
beforeAll(async () => {
  vendor = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { flash: "gemini-2.5-flash" });
});
afterAll(() => vendor.stop());

const hi = [{ role: "user" as const, content: "x" }];
const withFormat = (schema: unknown) => sendChat(vendor, { model: "flash", messages: hi, response_format: { type: "json_schema", json_schema: { name: "r", schema } } });
const withTool = (parameters: unknown) => sendChat(vendor, { model: "flash", messages: hi, tools: [{ type: "function", function: { name: "f", parameters } }] });

const Base = { type: "object", properties: { id: { type: "string" } }, required: ["id"] };
const derived = (item: Record<string, unknown>) => ({ $defs: { Base }, type: "object", properties: { item }, required: ["item"] });

describe("gemini: a reference with sibling properties", () => {
  test("allOf [$ref] + own properties/required: both sets of properties and the union of required are sent", async () => {
    const out = await withFormat(derived({ allOf: [{ $ref: "#/$defs/Base" }], properties: { note: { type: "string" } }, required: ["note"], description: "d" }));
    expect(out.refused).toBe(false);
    expect(out.sent.generationConfig.responseSchema.properties.item).toEqual({
      type: "object",
      properties: { id: { type: "string" }, note: { type: "string" } },
      required: ["id", "note"],
      description: "d",
    });
  });

  test("a $ref with sibling properties in a tool's parameters, a property on both sides identical, required not repeated", async () => {
    const Named = { type: "object", properties: { id: { type: "string" }, name: { type: "string" } }, required: ["id"] };
    const item = { $ref: "#/$defs/Named", properties: { id: { type: "string" }, n: { type: "integer" } }, required: ["n", "id"] };
    const out = await withTool({ $defs: { Named }, type: "object", properties: { item } });
    expect(out.refused).toBe(false);
    expect(out.sent.tools[0].functionDeclarations[0].parameters.properties.item).toEqual({
      type: "object",
      properties: { id: { type: "string" }, name: { type: "string" }, n: { type: "integer" } },
      required: ["id", "n"],
    });
  });

  test("$ref and allOf in one schema merge with each other the same way", async () => {
    const Extra = { type: "object", properties: { tag: { type: "string" } }, required: ["tag"] };
    const schema = { $defs: { Base, Extra }, type: "object", properties: { item: { $ref: "#/$defs/Base", allOf: [{ $ref: "#/$defs/Extra" }] } } };
    const out = await withFormat(schema);
    expect(out.sent.generationConfig.responseSchema.properties.item).toEqual({ type: "object", properties: { id: { type: "string" }, tag: { type: "string" } }, required: ["id", "tag"] });
  });

  test("a property defined on both sides with different schemas is a 400 naming it, before any call", async () => {
    const item = { allOf: [{ $ref: "#/$defs/Base" }], properties: { id: { type: "integer" } } };
    expect((await withFormat(derived(item))).param).toBe("response_format.json_schema.schema");
    let caught: unknown;
    try {
      toGeminiSchema(derived(item), "p", "responseSchema");
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UnsupportedParameterError);
    expect((caught as Error).message).toBe(
      "This JSON schema cannot be translated for this provider at #/properties/item/properties/id: it is defined differently here and in the schema it is merged with ($ref or allOf).",
    );
  });
});

test("mergeSchemas keeps a property named __proto__ as a property", () => {
  const own = JSON.parse('{"properties":{"__proto__":{"type":"string"}}}');
  const merged = mergeSchemas({ properties: { id: { type: "string" } } }, own) as { properties: Record<string, unknown> };
  expect(Object.keys(merged.properties)).toEqual(["id", "__proto__"]);
});
