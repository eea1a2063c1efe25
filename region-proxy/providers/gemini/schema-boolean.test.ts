/**
 * Boolean subschemas (`true`: anything, `false`: nothing) have no equivalent in Gemini's Schema, a
 * protobuf message (a boolean where one is expected is its 400 "Invalid value at ..."). They are refused
 * before the call with a 400 naming the schema's field; `anyOf: [false, {type: "null"}]` is not loosened
 * into `{nullable: true}`. The fake refuses a boolean schema as Gemini does.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { sendChat, startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { toGeminiSchema } from "./schema.ts";

let fake: FakeVendor;
let client: OpenAI;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ fake, client, stop } = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { gemini: "gemini-fake" }));
});
afterAll(() => stop());

const messages = [{ role: "user", content: "go" }];
const format = (schema: unknown) => ({ type: "json_schema", json_schema: { name: "out", schema } });
const SCHEMAS: [string, unknown, string][] = [
  ["items: false", { type: "object", properties: { tags: { type: "array", items: false } } }, "#/properties/tags/items"],
  ["a property false", { type: "object", properties: { name: { type: "string" }, legacy: false } }, "#/properties/legacy"],
  ["a property true", { type: "object", properties: { payload: true } }, "#/properties/payload"],
  ["an anyOf branch false beside null", { type: "object", properties: { x: { anyOf: [false, { type: "null" }] } } }, "#/properties/x/anyOf/0"],
  ["an anyOf branch true", { type: "object", properties: { x: { anyOf: [{ type: "string" }, true] } } }, "#/properties/x/anyOf/1"],
  ["a $ref to a boolean definition", { $defs: { Any: true }, type: "object", properties: { x: { $ref: "#/$defs/Any" } } }, "#/$defs/Any"],
];

function refusal(schema: unknown): UnsupportedParameterError {
  try {
    toGeminiSchema(schema, "response_format.json_schema.schema", "responseSchema");
  } catch (e) {
    expect(e).toBeInstanceOf(UnsupportedParameterError);
    return e as UnsupportedParameterError;
  }
  throw new Error(`not refused: ${JSON.stringify(schema)}`);
}

describe("boolean subschemas", () => {
  test("refused naming where, a boolean root too", () => {
    for (const [label, schema, at] of SCHEMAS) expect([label, refusal(schema).message]).toEqual([label, expect.stringContaining(`at ${at}: a boolean schema`)]);
    expect(refusal(true).message).toContain("at #: a boolean schema (true)");
    expect(refusal({ type: "object", properties: { x: 3 } }).message).toContain("at #/properties/x: a schema must be an object");
  });

  test("through the proxy: a 400 naming response_format.json_schema.schema, without a call to Gemini", async () => {
    for (const [, schema] of SCHEMAS) expect(await sendChat({ client, fake }, { model: "gemini", messages, response_format: format(schema) })).toMatchObject({ refused: true, param: "response_format.json_schema.schema" });
  });

  test("through the proxy: in tool parameters, a 400 naming tools[i].function.parameters", async () => {
    const parameters = { type: "object", properties: { q: { type: "string" }, extra: true } };
    const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } } }, { type: "function", function: { name: "find", parameters } }];
    expect(await sendChat({ client, fake }, { model: "gemini", messages, tools })).toMatchObject({ refused: true, param: "tools[1].function.parameters" });
  });

  test("the fake refuses a boolean schema as Gemini's protobuf parser does", async () => {
    const res = await fetch(`${fake.url}/v1beta/models/gemini-fake:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "vendor-fake-key" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }], generationConfig: { responseMimeType: "application/json", responseSchema: { type: "ARRAY", items: false } } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe("Invalid value at 'generation_config.response_schema.items' (type.googleapis.com/google.ai.generativelanguage.v1beta.Schema), false");
  });
});
