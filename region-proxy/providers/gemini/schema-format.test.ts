/**
 * JSON Schema's `format` to Gemini. Its Schema reference (https://ai.google.dev/api/caching#Schema) now
 * says "Any value is allowed, but most do not trigger any special functionality"; earlier it listed
 * "for NUMBER type: float, double; for INTEGER type: int32, int64; for STRING type: enum, date-time", and
 * some Gemini versions (2025) failed the whole request over any other ("...properties[url].format: only
 * 'enum' and 'date-time' are supported for STRING type", google-gemini/gemini-cli#2237). OpenAI takes
 * them all (Pydantic's HttpUrl is `format: "uri"`, EmailStr "email", date "date"). Those are dropped,
 * safe with either Gemini, as Google's own ADK drops them (GeminiSchemaUtil.handleFormatField); the
 * listed ones are sent as they are. A dropped format is written into the schema's description as
 * `{format: "uri"}` (after the description it had), as Anthropic's strict tools are sent
 * (../schema-description.ts), so the model still reads it. The fake refuses as those versions did.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";
import { toGeminiSchema } from "./schema.ts";

let vendor: VendorBehindProxy;
beforeAll(async () => {
  vendor = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { flash: "gemini-2.5-flash" });
});
afterAll(() => vendor.stop());

const hi = [{ role: "user" as const, content: "x" }];
const withTool = (parameters: unknown) => sendChat(vendor, { model: "flash", messages: hi, tools: [{ type: "function", function: { name: "fetch", parameters } }] });
const withFormat = (schema: unknown) => sendChat(vendor, { model: "flash", messages: hi, response_format: { type: "json_schema", json_schema: { name: "r", schema, strict: true } } });
const params = (schema: unknown) => toGeminiSchema(schema, "tools[0].function.parameters", "parameters");

describe("gemini: string formats some Gemini versions refused", () => {
  test("a tool's `format: \"uri\"` (an MCP or Pydantic HttpUrl parameter) is answered, sent in the description", async () => {
    const out = await withTool({ type: "object", properties: { url: { type: "string", format: "uri", description: "page" } }, required: ["url"] });
    expect(out.refused).toBe(false);
    expect(out.sent.tools[0].functionDeclarations[0].parameters.properties.url).toEqual({ type: "string", description: 'page\n\n{format: "uri"}' });
  });

  test("a response schema's email and date formats (OpenAI's strict structured outputs takes them) are answered, described", async () => {
    const out = await withFormat({
      type: "object",
      properties: { mail: { type: "array", items: { type: "string", format: "email" } }, day: { type: ["string", "null"], format: "date" }, at: { type: "string", format: "date-time" } },
      required: ["mail", "day", "at"],
      additionalProperties: false,
    });
    expect(out.refused).toBe(false);
    expect(out.sent.generationConfig.responseSchema.properties).toEqual({
      mail: { type: "array", items: { type: "string", description: '{format: "email"}' } },
      day: { type: "string", nullable: true, description: '{format: "date"}' },
      at: { type: "string", format: "date-time" },
    });
  });
});

describe("toGeminiSchema: format", () => {
  test("keeps each format Gemini documents for the schema's type, in either case of type", () => {
    const kept = { type: "object", properties: { at: { type: "string", format: "date-time" }, e: { type: "STRING", format: "enum", enum: ["a"] }, i: { type: "integer", format: "int64" }, f: { type: "number", format: "double" } } };
    expect(params(kept)).toEqual(kept);
  });

  test("moves any other into the description, on its own type, another type, no type, a $ref target and a type list's branches", () => {
    const schema = {
      type: "object",
      properties: {
        id: { type: "string", format: "uuid" },
        n: { type: "integer", format: "double" },
        x: { type: "number", format: "int32" },
        any: { format: "date-time" },
        ref: { $ref: "#/$defs/site" },
        either: { type: ["string", "integer"], format: "uri" },
        named: { type: "string", format: "" },
      },
      $defs: { site: { type: "string", format: "hostname" } },
    };
    expect(params(schema)).toEqual({
      type: "object",
      properties: {
        id: { type: "string", description: '{format: "uuid"}' },
        n: { type: "integer", description: '{format: "double"}' },
        x: { type: "number", description: '{format: "int32"}' },
        any: { description: '{format: "date-time"}' },
        ref: { type: "string", description: '{format: "hostname"}' },
        either: { anyOf: [{ type: "string", description: '{format: "uri"}' }, { type: "integer", description: '{format: "uri"}' }] },
        named: { type: "string" },
      },
    });
  });

  test("the hint survives a description beside a $ref or around a null branch, and a format that is not a string is only dropped", () => {
    const schema = {
      type: "object",
      properties: {
        ref: { $ref: "#/$defs/site", description: "home" },
        maybe: { anyOf: [{ type: "string", format: "uri" }, { type: "null" }], description: "link" },
        odd: { type: "string", format: 5 },
      },
      $defs: { site: { type: "string", format: "hostname" } },
    };
    expect(params(schema)).toEqual({
      type: "object",
      properties: {
        ref: { type: "string", description: 'home\n\n{format: "hostname"}' },
        maybe: { type: "string", nullable: true, description: 'link\n\n{format: "uri"}' },
        odd: { type: "string" },
      },
    });
  });
});
