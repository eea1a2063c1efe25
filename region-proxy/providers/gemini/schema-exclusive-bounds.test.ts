/**
 * exclusiveMinimum / exclusiveMaximum (zod's .int().positive() / .negative(), Pydantic's gt / lt on an
 * int), which Gemini's Schema has no field for: on an integer they are the inclusive bound they equal
 * (minimum n+1, maximum n-1), the stricter of it and any minimum/maximum beside; on anything else they
 * stay a 400 naming the schema. Through a real proxy to the fake Gemini via the official SDK.
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
const PARAM = "response_format.json_schema.schema";
const withFormat = (properties: Record<string, unknown>) =>
  sendChat(vendor, { model: "flash", messages: hi, response_format: { type: "json_schema", json_schema: { name: "r", schema: { type: "object", properties } } } });
const sentProperties = async (properties: Record<string, unknown>) => {
  const out = await withFormat(properties);
  expect(out.refused).toBe(false);
  return out.sent.generationConfig.responseSchema.properties;
};

describe("gemini: exclusive bounds", () => {
  test("on an integer: minimum n+1 and maximum n-1, the stricter of those and minimum/maximum", async () => {
    const SAFE = Number.MAX_SAFE_INTEGER;
    expect(
      await sentProperties({
        // zod 4's z.number().int().positive() / .negative()
        count: { type: "integer", exclusiveMinimum: 0, maximum: SAFE },
        below: { type: "integer", minimum: -SAFE, exclusiveMaximum: 0 },
        both: { type: "integer", exclusiveMinimum: -3, minimum: 0, exclusiveMaximum: 10, maximum: 20 },
        fraction: { type: "integer", exclusiveMinimum: 0.5, exclusiveMaximum: 9.5 },
        nullable: { type: ["integer", "null"], exclusiveMinimum: 0 },
        tool: { anyOf: [{ type: "integer" }, { type: "null" }], exclusiveMaximum: 100 },
      }),
    ).toEqual({
      count: { type: "integer", minimum: 1, maximum: SAFE },
      below: { type: "integer", minimum: -SAFE, maximum: -1 },
      both: { type: "integer", minimum: 0, maximum: 9 },
      fraction: { type: "integer", minimum: 1, maximum: 9 },
      nullable: { type: "integer", nullable: true, minimum: 1 },
      tool: { type: "integer", nullable: true, maximum: 99 },
    });
  });

  test("in a tool's parameters too", async () => {
    const parameters = { type: "object", properties: { n: { type: "integer", exclusiveMinimum: 0 } } };
    const out = await sendChat(vendor, { model: "flash", messages: hi, tools: [{ type: "function", function: { name: "f", parameters } }] });
    expect(out.sent.tools[0].functionDeclarations[0].parameters.properties.n).toEqual({ type: "integer", minimum: 1 });
  });

  test("on a number, without a type, or in draft-04's boolean form: still a 400 naming the schema, before any call", async () => {
    expect((await withFormat({ x: { type: "number", exclusiveMinimum: 0 } })).param).toBe(PARAM);
    expect((await withFormat({ x: { exclusiveMaximum: 0 } })).param).toBe(PARAM);
    expect((await withFormat({ x: { type: ["integer", "string"], exclusiveMinimum: 0 } })).param).toBe(PARAM);
    expect((await withFormat({ x: { type: "integer", minimum: 0, exclusiveMinimum: true } })).param).toBe(PARAM);
  });
});
