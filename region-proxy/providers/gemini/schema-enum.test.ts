/**
 * An `enum` without `type` (as MCP servers and hand-written tool schemas write it), through a real proxy
 * to the fake Gemini via the official SDK: Gemini takes an enum only on a STRING schema, so an all-string
 * enum is sent with type "string" (as a string `const` is); an enum Gemini's Schema cannot hold is a 400
 * naming the schema before any vendor call.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let vendor: VendorBehindProxy;
beforeAll(async () => {
  vendor = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { flash: "gemini-2.5-flash" });
});
afterAll(() => vendor.stop());

const hi = [{ role: "user" as const, content: "x" }];
const withTool = (parameters: unknown) => sendChat(vendor, { model: "flash", messages: hi, tools: [{ type: "function", function: { name: "temp", parameters } }] });
const withFormat = (schema: unknown) => sendChat(vendor, { model: "flash", messages: hi, response_format: { type: "json_schema", json_schema: { name: "r", schema } } });

describe("gemini: an enum without a type", () => {
  test("an MCP-style tool parameter {enum: [...]} reaches Gemini as a string enum and is answered", async () => {
    const out = await withTool({ type: "object", properties: { unit: { enum: ["c", "f"], description: "unit" } }, required: ["unit"] });
    expect(out.refused).toBe(false);
    expect(out.sent.tools[0].functionDeclarations[0].parameters.properties.unit).toEqual({ type: "string", enum: ["c", "f"], description: "unit" });
  });

  test("in a response schema, nested in items and with a null value (nullable)", async () => {
    const out = await withFormat({ type: "object", properties: { tags: { type: "array", items: { enum: ["a", "b", null] } } } });
    expect(out.refused).toBe(false);
    expect(out.sent.generationConfig.responseSchema.properties.tags.items).toEqual({ type: "string", enum: ["a", "b"], nullable: true });
  });

  test("an enum Gemini cannot hold stays a 400 naming the schema, before any call", async () => {
    expect((await withTool({ type: "object", properties: { level: { enum: [1, 2] } } })).param).toBe("tools[0].function.parameters");
    expect((await withTool({ type: "object", properties: { level: { type: "integer", enum: ["1", "2"] } } })).param).toBe("tools[0].function.parameters");
    expect((await withFormat({ type: "object", properties: { v: { anyOf: [{ type: "string" }, { type: "integer" }], enum: ["a"] } } })).param).toBe("response_format.json_schema.schema");
  });
});
