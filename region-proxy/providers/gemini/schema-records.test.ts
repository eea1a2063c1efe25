/**
 * `additionalProperties` a schema on an object with no properties (a typed record: Pydantic's
 * dict[str, int], zod's z.record, `{type: "object", additionalProperties: {type: "integer"}}`): Gemini's
 * Schema has no additionalProperties, and dropping it left a bare OBJECT (for tool parameters, none at
 * all: the function was declared to take no arguments). Such a record is refused before the call with
 * a 400 naming the schema's field. `true`, `{}` or `false` there say nothing Gemini could: the object
 * is free-form, as without them (schema-objects.test.ts), except that `false` at a response format's root,
 * sent as JSON mode, is refused (schema-root-free-form.test.ts). On an object that has properties,
 * additionalProperties (false, true or a schema) is dropped: an answer holding those properties only
 * conforms to the client's schema.
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

const PARAM = "response_format.json_schema.schema";
const messages = [{ role: "user", content: "go" }];
const format = (schema: unknown) => ({ type: "json_schema", json_schema: { name: "out", schema } });
const scores = { type: "object", additionalProperties: { type: "integer" }, title: "Scores" };

function refusal(schema: unknown): string {
  try {
    toGeminiSchema(schema, PARAM, "responseSchema");
  } catch (e) {
    expect(e).toBeInstanceOf(UnsupportedParameterError);
    expect((e as UnsupportedParameterError).param).toBe(PARAM);
    return (e as Error).message;
  }
  throw new Error(`not refused: ${JSON.stringify(schema)}`);
}

describe("records (additionalProperties, no properties)", () => {
  test("refused naming where: a schema, typed object, typeless, nullable, behind a $ref, with an empty map", () => {
    expect(refusal({ type: "object", properties: { name: { type: "string" }, scores } })).toContain("at #/properties/scores/additionalProperties:");
    expect(refusal({ type: "object", additionalProperties: { type: "integer" } })).toContain("at #/additionalProperties:");
    expect(refusal({ type: "object", properties: {}, additionalProperties: { type: "string" } })).toContain("at #/additionalProperties:");
    expect(refusal({ additionalProperties: { type: "string" } })).toContain("at #/additionalProperties:");
    expect(refusal({ type: ["object", "null"], additionalProperties: { type: "string" } })).toContain("at #/additionalProperties:");
    expect(refusal({ $defs: { Scores: scores }, type: "object", properties: { s: { $ref: "#/$defs/Scores" } } })).toContain("at #/$defs/Scores/additionalProperties:");
  });

  test("dropped where the object has properties, whatever its value; true, {} (or, in tool parameters, false) on an empty object are dropped", () => {
    for (const additional of [false, true, { type: "integer" }]) {
      expect(toGeminiSchema({ type: "object", properties: { a: { type: "string" } }, additionalProperties: additional }, PARAM, "responseSchema")).toEqual({ type: "object", properties: { a: { type: "string" } } });
    }
    for (const additional of [true, {}]) expect(toGeminiSchema({ type: "object", additionalProperties: additional }, PARAM, "responseSchema")).toEqual({ type: "object" });
    // false (only {} is valid) is dropped in tool parameters; as a response schema's root, sent as JSON mode, it is refused (schema-root-free-form.test.ts).
    expect(toGeminiSchema({ type: "object", additionalProperties: false }, "tools[0].function.parameters", "parameters")).toEqual({ type: "object" });
    expect(toGeminiSchema({ type: "string", additionalProperties: true }, PARAM, "responseSchema")).toEqual({ type: "string" });
  });

  test("through the proxy: a record as tool parameters is a 400 naming them, not a function of no arguments", async () => {
    const parameters = { type: "object", additionalProperties: { type: "integer" } };
    const outcome = await sendChat({ client, fake }, { model: "gemini", messages, tools: [{ type: "function", function: { name: "set_scores", parameters } }] });
    expect(outcome).toMatchObject({ refused: true, param: "tools[0].function.parameters" });
  });

  test("through the proxy: a Pydantic dict[str, int] field in a response format is a 400 naming it", async () => {
    const schema = { type: "object", properties: { name: { type: "string" }, scores }, required: ["name", "scores"] };
    expect(await sendChat({ client, fake }, { model: "gemini", messages, response_format: format(schema) })).toMatchObject({ refused: true, param: PARAM });
  });

  test("through the proxy: additionalProperties beside properties is dropped, and the rest reaches Gemini", async () => {
    const schema = { type: "object", properties: { name: { type: "string" } }, required: ["name"], additionalProperties: { type: "string" } };
    const outcome = await sendChat({ client, fake }, { model: "gemini", messages, response_format: format(schema) });
    expect(outcome.sent.generationConfig.responseSchema).toEqual({ type: "object", properties: { name: { type: "string" } }, required: ["name"] });
  });
});
