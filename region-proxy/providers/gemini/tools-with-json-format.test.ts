/**
 * Tools together with a JSON response_format (what the SDK's parse() and runTools() send with
 * zodFunction and zodResponseFormat), through the proxy to the fake Gemini, read through the official
 * SDK: Gemini before its 3 series refuses the two together, so the proxy answers a 400 naming
 * response_format without calling it; a Gemini 3 model gets both.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let vendor: VendorBehindProxy;
beforeAll(async () => {
  vendor = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { flash25: "gemini-2.5-flash", pro3: "gemini-3-pro-preview" });
});
afterAll(() => vendor.stop());

const schema = { type: "object", properties: { echo: { type: "string" } }, required: ["echo"], additionalProperties: false };
const request = (model: string) => ({
  model,
  messages: [{ role: "user", content: "give me json" }],
  tools: [{ type: "function", function: { name: "get_weather", parameters: schema, strict: true } }],
  response_format: { type: "json_schema", json_schema: { name: "answer", schema, strict: true } },
});

test("on gemini-2.5-flash: a 400 naming response_format, and Gemini is not called", async () => {
  expect(await sendChat(vendor, request("flash25"))).toMatchObject({ refused: true, param: "response_format" });
});

test("on gemini-3-pro-preview: Gemini gets the function declarations and the JSON response schema", async () => {
  const { refused, sent } = await sendChat(vendor, request("pro3"));
  expect(refused).toBe(false);
  expect(sent.tools[0].functionDeclarations[0].name).toBe("get_weather");
  expect(sent.generationConfig.responseMimeType).toBe("application/json");
});
