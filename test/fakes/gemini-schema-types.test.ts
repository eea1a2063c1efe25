/**
 * The Gemini fake takes `enum` only on a STRING schema, as Gemini does: an enum on a schema whose type
 * is missing or another type is its 400 "* GenerateContentRequest.<path>.enum: only allowed for STRING
 * type" (https://github.com/musistudio/claude-code-router/issues/475), one line per such schema. Likewise
 * `properties` and `required` only on an OBJECT ("...: only allowed for OBJECT type",
 * https://github.com/anomalyco/opencode/issues/11889), a `required` entry only if it is one of the
 * properties ("...required[0]: property is not defined", https://github.com/iBUHub/AIStudioToAPI/issues/154).
 * An OBJECT without properties (an empty map and no map are one protobuf message) is refused in a
 * response schema ("...properties: should be non-empty for OBJECT type", browser-use/browser-use#3786)
 * and as a declaration's whole parameters (pipecat-ai/pipecat-flows#110), taken nested in parameters
 * (vercel/ai#11319). A STRING's `format` other than 'enum' or 'date-time' is refused, as some Gemini
 * versions (2025) did ("...format: only 'enum' and 'date-time' are supported for STRING type",
 * google-gemini/gemini-cli#2237; the Schema reference now allows any value): the stricter behaviour.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { FakeVendor } from "./fake-server.ts";
import { startFakeGemini } from "./gemini.ts";

let gemini: FakeVendor;
beforeAll(async () => {
  gemini = await startFakeGemini({ apiKey: "k" });
});
afterAll(() => gemini.stop());

async function generate(fields: Record<string, unknown>): Promise<[number, any]> {
  const res = await fetch(`${gemini.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-goog-api-key": "k" },
    body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }], ...fields }),
  });
  return [res.status, await res.json()];
}
const declare = (parameters: unknown) => ({ tools: [{ functionDeclarations: [{ name: "f", parameters }] }] });
const refused = (message: string): [number, unknown] => [400, { error: { code: 400, status: "INVALID_ARGUMENT", message } }];

test("an enum without type STRING is refused in Gemini's words, naming each property by its name", async () => {
  expect(await generate(declare({ type: "OBJECT", properties: { name: { type: "STRING" }, unit: { enum: ["c", "f"] } } }))).toEqual(
    refused("* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[unit].enum: only allowed for STRING type"),
  );
  expect(await generate(declare({ type: "OBJECT", properties: { a: { type: "INTEGER", enum: ["1"] }, b: { type: "ARRAY", items: { anyOf: [{ enum: ["x"] }] } } } }))).toEqual(
    refused(
      "* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[a].enum: only allowed for STRING type\n" +
        "* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[b].items.any_of[0].enum: only allowed for STRING type",
    ),
  );
  expect(await generate({ generationConfig: { responseMimeType: "application/json", responseSchema: { enum: ["a"] } } })).toEqual(
    refused("* GenerateContentRequest.generation_config.response_schema.enum: only allowed for STRING type"),
  );
});

test("an enum on a STRING schema (either case, nullable or not) is taken", async () => {
  expect((await generate(declare({ type: "OBJECT", properties: { unit: { type: "STRING", enum: ["c", "f"] } } })))[0]).toBe(200);
  expect((await generate(declare({ type: "object", properties: { unit: { type: "string", enum: ["c"], nullable: true } } })))[0]).toBe(200);
  expect((await generate({ generationConfig: { responseMimeType: "application/json", responseSchema: { type: "string", enum: ["a"] } } }))[0]).toBe(200);
});

test("properties or required on a schema whose type is not OBJECT (missing, say: MCP's nested objects) is refused in Gemini's words", async () => {
  const data = { description: "page data", properties: { page_id: { type: "STRING" } }, required: ["page_id"] };
  expect(await generate(declare({ type: "OBJECT", properties: { data } }))).toEqual(
    refused(
      "* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[data].properties: only allowed for OBJECT type\n" +
        "* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[data].required: only allowed for OBJECT type",
    ),
  );
  expect(await generate({ generationConfig: { responseMimeType: "application/json", responseSchema: { type: "ARRAY", items: { properties: { a: { type: "STRING" } } } } } })).toEqual(
    refused("* GenerateContentRequest.generation_config.response_schema.items.properties: only allowed for OBJECT type"),
  );
});

const format = (responseSchema: unknown) => ({ generationConfig: { responseMimeType: "application/json", responseSchema } });

test("an OBJECT without properties (an empty map or none, one protobuf message) in a response schema, root or nested, is refused in Gemini's words", async () => {
  for (const goBack of [{ type: "OBJECT", properties: {} }, { type: "OBJECT" }]) {
    expect(await generate(format({ type: "OBJECT", properties: { go_back: goBack, list: { type: "ARRAY", items: { type: "object" } } } }))).toEqual(
      refused(
        "* GenerateContentRequest.generation_config.response_schema.properties[go_back].properties: should be non-empty for OBJECT type\n" +
          "* GenerateContentRequest.generation_config.response_schema.properties[list].items.properties: should be non-empty for OBJECT type",
      ),
    );
    expect(await generate(format(goBack))).toEqual(refused("* GenerateContentRequest.generation_config.response_schema.properties: should be non-empty for OBJECT type"));
  }
});

test("an OBJECT without properties as a declaration's whole parameters is refused; nested in them (a free-form object) it is taken", async () => {
  for (const empty of [{ type: "OBJECT", properties: {} }, { type: "OBJECT" }]) {
    expect(await generate(declare(empty))).toEqual(refused("* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties: should be non-empty for OBJECT type"));
    expect((await generate(declare({ type: "OBJECT", properties: { metadata: empty, list: { type: "ARRAY", items: { type: "object" } }, a: { anyOf: [empty] } } })))[0]).toBe(200);
  }
});

test("a required entry that is not one of the OBJECT's properties is refused, in parameters and response schemas", async () => {
  expect(await generate(declare({ type: "OBJECT", properties: { text: { type: "STRING" }, go_back: { type: "OBJECT", required: ["x"] } }, required: ["ref", "text"] }))).toEqual(
    refused(
      "* GenerateContentRequest.tools[0].function_declarations[0].parameters.required[0]: property is not defined\n" +
        "* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[go_back].required[0]: property is not defined",
    ),
  );
  expect(await generate(format({ type: "OBJECT", properties: { a: { type: "STRING" } }, required: ["a", "b"] }))).toEqual(
    refused("* GenerateContentRequest.generation_config.response_schema.required[1]: property is not defined"),
  );
});

test("an OBJECT with properties, nested in items and anyOf, and an empty properties map elsewhere are taken", async () => {
  const point = { type: "OBJECT", properties: { x: { type: "NUMBER" } }, required: ["x"] };
  expect((await generate(declare({ type: "OBJECT", properties: { points: { type: "ARRAY", items: point }, p: { anyOf: [point, { type: "STRING" }] } } })))[0]).toBe(200);
  expect((await generate(declare({ type: "OBJECT", properties: { s: { type: "STRING", properties: {}, required: [] } } })))[0]).toBe(200);
  expect((await generate(declare(undefined)))[0]).toBe(200);
});

test("a STRING format other than 'enum' or 'date-time' (uri, email, date...) is refused in Gemini's words; those two are taken", async () => {
  expect(await generate(declare({ type: "OBJECT", properties: { url: { type: "STRING", format: "uri" }, at: { type: "string", format: "date-time" } } }))).toEqual(
    refused("* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[url].format: only 'enum' and 'date-time' are supported for STRING type"),
  );
  expect(await generate(format({ type: "OBJECT", properties: { mail: { type: "ARRAY", items: { type: "string", format: "email" } } } }))).toEqual(
    refused("* GenerateContentRequest.generation_config.response_schema.properties[mail].items.format: only 'enum' and 'date-time' are supported for STRING type"),
  );
  expect((await generate(declare({ type: "OBJECT", properties: { at: { type: "STRING", format: "date-time" }, unit: { type: "STRING", format: "enum", enum: ["c"] }, n: { type: "INTEGER", format: "int64" } } })))[0]).toBe(200);
});
