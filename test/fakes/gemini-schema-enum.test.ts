/**
 * The Gemini fake takes `enum` only on a STRING schema, as Gemini does: an enum on a schema whose type
 * is missing or another type is its 400 "* GenerateContentRequest.<path>.enum: only allowed for STRING
 * type" (https://github.com/musistudio/claude-code-router/issues/475), one line per such schema.
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
